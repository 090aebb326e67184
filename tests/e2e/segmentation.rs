//! Sentence segmentation of the fixture articles, end to end through the
//! JSON output: the hard cases of news copy in context.

use claimdesk_tests::fixture;

use crate::{check_json, path_str};

fn sentences(name: &str) -> Vec<String> {
    let (json, _) = check_json(&[path_str(&fixture(name))]);
    json["documents"][0]["sentences"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn council_budget_article() {
    assert_eq!(
        sentences("council-budget.txt"),
        [
            "City budget doubles in a decade",
            "Councillors approve record spending",
            "The city council on Thursday approved a budget of $310.5 million, nearly double the figure of 10 years ago.",
            "Mrs. J. R. Patel, the finance chair, called it “a fair plan. It protects the basics.”",
            "Mr. Okoro disagreed...",
            "He said the rise was “reckless”.",
            "The plan rests on three assumptions:",
            "property tax receipts grow 3.5% a year",
            "the state grant stays at No. 2 on its list",
            "fuel costs fall by 0.75 percent",
            "Some say the figures are optimistic.",
            "“Where will the money come from?” asked Cllr. Fenwick, who voted against.",
            "According to people close to the mayor, a revised plan is likely before Jan. 31.",
            "The mayor’s office declined to comment.",
        ]
    );
}

#[test]
fn harbour_article() {
    let got = sentences("harbour.txt");
    assert_eq!(got.len(), 11);
    assert_eq!(got[0], "Mayor hails ‘historic breakthrough’ in harbour talks as unions stay wary");
    assert!(got[1].starts_with("A day after closed-door talks with the Northline Shipping Co. board"), "dateline left out: {}", got[1]);
    assert_eq!(got[2], "Writing on her campaign page in capitals, Calder posted, “HARBOUR DEAL IS CLOSE. BIG NEWS SOON!”");
    assert!(got[6].starts_with("Dr. Amara Osei, who chairs the port council, said"), "{}", got[6]);
    assert_eq!(got[10], "She added, “Some big questions remain. We are not there yet.”");
}
