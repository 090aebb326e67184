use super::*;

fn sentences(text: &str) -> Vec<&str> {
    let out = segment(text);
    for s in &out {
        assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
    }
    out.iter().map(|s| &text[s.span.start..s.span.end]).collect()
}

#[test]
fn abbreviations_titles_and_initials() {
    let text = "Mr. Okafor met Dr. Reyes in the U.S. capital on Jan. 12. They spoke for an hour. \
                John F. Kennedy Airport was closed. The vote is No. 3 on the list.";
    assert_eq!(
        sentences(text),
        [
            "Mr. Okafor met Dr. Reyes in the U.S. capital on Jan. 12.",
            "They spoke for an hour.",
            "John F. Kennedy Airport was closed.",
            "The vote is No. 3 on the list."
        ]
    );
}

#[test]
fn ambiguous_abbreviation_at_sentence_end() {
    let text = "The firm moved to the U.S. The board agreed. Talks ran until 3 p.m. Then they left.";
    assert_eq!(sentences(text), ["The firm moved to the U.S.", "The board agreed.", "Talks ran until 3 p.m.", "Then they left."]);
}

#[test]
fn decimals_percentages_and_ellipses() {
    let text = "Inflation hit 3.5% in May. Output fell by 0.7 points… then recovered. We waited... And waited.";
    assert_eq!(
        sentences(text),
        ["Inflation hit 3.5% in May.", "Output fell by 0.7 points… then recovered.", "We waited...", "And waited."]
    );
}

#[test]
fn closing_quotes_after_the_full_stop() {
    let text = "She said, “The bridge will open in June.” The council disagreed. He called it ‘a mess.’ Nobody replied.";
    assert_eq!(
        sentences(text),
        ["She said, “The bridge will open in June.”", "The council disagreed.", "He called it ‘a mess.’", "Nobody replied."]
    );
}

#[test]
fn never_splits_inside_a_quotation() {
    let text = "“We will not sign. Not this year, not ever,” the minister said. “Why now?” she asked. Reporters left.";
    assert_eq!(
        sentences(text),
        ["“We will not sign. Not this year, not ever,” the minister said.", "“Why now?” she asked.", "Reporters left."]
    );
}

#[test]
fn all_caps_sentences() {
    let text = "HUGE WIN FOR OUR CITY. MORE TO COME! The mayor posted this at 6 a.m.";
    assert_eq!(sentences(text), ["HUGE WIN FOR OUR CITY.", "MORE TO COME!", "The mayor posted this at 6 a.m."]);
}

#[test]
fn datelines_are_not_part_of_the_sentence() {
    let text = "Brussels: Ministers met for a second day of talks on the grain corridor. No deal was reached.\n\n\
                NAIROBI, Kenya — Heavy rain flooded three districts of the city overnight, officials said.";
    assert_eq!(
        sentences(text),
        [
            "Ministers met for a second day of talks on the grain corridor.",
            "No deal was reached.",
            "Heavy rain flooded three districts of the city overnight, officials said."
        ]
    );
    // A short headline with a colon keeps its first word.
    assert_eq!(sentences("Mayor: No new taxes"), ["Mayor: No new taxes"]);
}

#[test]
fn headlines_without_final_punctuation() {
    let text = "Port strike enters third week as talks stall\n\nDockworkers walked out on Monday. Ships are waiting.";
    assert_eq!(
        sentences(text),
        ["Port strike enters third week as talks stall", "Dockworkers walked out on Monday.", "Ships are waiting."]
    );
    let single_newline = "City budget doubles in a decade\nThe council approved it on Tuesday.";
    assert_eq!(sentences(single_newline), ["City budget doubles in a decade", "The council approved it on Tuesday."]);
}

#[test]
fn wrapped_lines_stay_one_sentence() {
    let text = "The report found that the number of\nclinics had fallen by a third since\n2019, the ministry said.";
    assert_eq!(sentences(text), ["The report found that the number of\nclinics had fallen by a third since\n2019, the ministry said."]);
}

#[test]
fn list_items() {
    let text = "The plan has three parts:\n- a ceasefire by May\n- prisoner exchanges\n1. Elections within a year\n2) A new constitution";
    assert_eq!(
        sentences(text),
        ["The plan has three parts:", "a ceasefire by May", "prisoner exchanges", "Elections within a year", "A new constitution"]
    );
}

#[test]
fn blank_line_always_ends_a_sentence() {
    let text = "The meeting ended without\n\nagreement on the budget";
    assert_eq!(sentences(text), ["The meeting ended without", "agreement on the budget"]);
}

#[test]
fn crlf_offsets_stay_right() {
    let text = "Prices rose.\r\nWages fell.\r\n\r\nRent doubled.";
    let got = sentences(text);
    assert_eq!(got, ["Prices rose.", "Wages fell.", "Rent doubled."]);
    let spans: Vec<_> = segment(text).iter().map(|s| s.span.start).collect();
    assert_eq!(spans, [0, 14, 29]);
}

#[test]
fn emoji_and_combining_characters() {
    let text = "Café owners 🎉 cheered. Zoë said the cafe\u{301} was full! Prices 📈 rose 5%.";
    assert_eq!(sentences(text), ["Café owners 🎉 cheered.", "Zoë said the cafe\u{301} was full!", "Prices 📈 rose 5%."]);
}

#[test]
fn empty_and_whitespace_only() {
    assert!(segment("").is_empty());
    assert!(segment(" \n\t\r\n  ").is_empty());
    assert_eq!(sentences("."), ["."]);
}

#[test]
fn indices_are_sequential() {
    let out = segment("One. Two. Three.");
    assert_eq!(out.iter().map(|s| s.index).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn sections_cut_where_no_sentence_or_quote_crosses() {
    let paragraph = "He said “we will win.\nWe always do,” and left. Prices rose 3.5% in\nMay, the bank said.\n";
    let text = paragraph.repeat(50);
    let whole: Vec<_> = segment(&text).iter().map(|s| s.span).collect();
    let mut pieces = Vec::new();
    let parts = sections(&text, 200);
    assert!(parts.len() > 5);
    assert_eq!(parts.first().map(|s| s.start), Some(0));
    assert_eq!(parts.last().map(|s| s.end), Some(text.len()));
    for part in &parts {
        for s in segment(&text[part.start..part.end]) {
            pieces.push(Span::new(part.start + s.span.start, part.start + s.span.end));
        }
    }
    assert_eq!(pieces, whole);
    assert_eq!(sections("short", 200), [Span::new(0, 5)]);
}
