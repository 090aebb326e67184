//! Cuts a text into paragraphs and segments so templates can highlight
//! marked spans (flags, the claim's sentence) without touching offsets.

/// A span to highlight, in byte offsets into the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    /// CSS class, e.g. `k-vague`.
    pub class: String,
    /// Tooltip: what the mark means.
    pub title: String,
}

/// A run of text covered by the same marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub text: String,
    /// Space-separated classes of the covering marks; empty when unmarked.
    pub classes: String,
    /// Their titles, one per line.
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub start: usize,
    pub end: usize,
    pub segments: Vec<Segment>,
}

/// Paragraph spans: text between blank lines, trimmed of surrounding
/// newlines.
pub fn paragraph_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    let mut offset = 0;
    let mut last_nonblank_end = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (false, None) => start = Some(offset),
            (true, Some(s)) => {
                spans.push((s, last_nonblank_end));
                start = None;
            }
            _ => {}
        }
        if !blank {
            last_nonblank_end = offset + line.trim_end().len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        spans.push((s, last_nonblank_end));
    }
    spans
}

/// Splits `text[start..end]` into segments by the marks overlapping it.
pub fn segments(text: &str, start: usize, end: usize, marks: &[Mark]) -> Vec<Segment> {
    let mut cuts: Vec<usize> = vec![start, end];
    for m in marks {
        for p in [m.start, m.end] {
            if p > start && p < end && text.is_char_boundary(p) {
                cuts.push(p);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::with_capacity(cuts.len());
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some(piece) = text.get(a..b) else { continue };
        let covering: Vec<&Mark> = marks.iter().filter(|m| m.start <= a && m.end >= b && m.start < m.end).collect();
        let mut classes: Vec<&str> = covering.iter().map(|m| m.class.as_str()).collect();
        classes.sort_unstable();
        classes.dedup();
        let classes = classes.join(" ");
        let mut titles: Vec<&str> = covering.iter().map(|m| m.title.as_str()).filter(|t| !t.is_empty()).collect();
        titles.dedup();
        let title = titles.join("\n");
        match out.last_mut() {
            Some(last) if last.classes == classes && last.title == title => last.text.push_str(piece),
            _ => out.push(Segment { text: piece.to_owned(), classes, title }),
        }
    }
    out
}

/// The whole text as highlighted paragraphs. `marks` need not be sorted.
pub fn paragraphs(text: &str, marks: &[Mark]) -> Vec<Paragraph> {
    let mut marks: Vec<Mark> = marks.to_vec();
    marks.sort_by_key(|m| (m.start, m.end));
    paragraph_spans(text)
        .into_iter()
        .map(|(start, end)| {
            // Marks are sorted by start: those reaching into the paragraph
            // start before its end and end after its start.
            let upto = marks.partition_point(|m| m.start < end);
            let relevant: Vec<Mark> = marks[..upto].iter().filter(|m| m.end > start).cloned().collect();
            Paragraph { start, end, segments: segments(text, start, end, &relevant) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(start: usize, end: usize, class: &str) -> Mark {
        Mark { start, end, class: class.to_owned(), title: class.to_owned() }
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let text = "Title\n\nFirst para\nstill first.\n\n\n  \nSecond.\n";
        let spans = paragraph_spans(text);
        let texts: Vec<&str> = spans.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(texts, ["Title", "First para\nstill first.", "Second."]);
    }

    #[test]
    fn overlapping_marks_split_into_segments() {
        let text = "Prices doubled in ten years.";
        let marks = [mark(0, 14, "k-numeric"), mark(7, 27, "k-vague")];
        let paras = paragraphs(text, &marks);
        assert_eq!(paras.len(), 1);
        let segs: Vec<(&str, &str)> = paras[0].segments.iter().map(|s| (s.text.as_str(), s.classes.as_str())).collect();
        assert_eq!(segs, [("Prices ", "k-numeric"), ("doubled", "k-numeric k-vague"), (" in ten years", "k-vague"), (".", "")]);
    }

    #[test]
    fn marks_off_char_boundaries_or_out_of_range_are_harmless() {
        let text = "Zoë said “yes”.";
        let marks = [mark(2, 3, "k-x"), mark(0, 500, "k-y")];
        let paras = paragraphs(text, &marks);
        let joined: String = paras[0].segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text);
    }
}
