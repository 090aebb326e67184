use serde::{Deserialize, Serialize};

/// One outcome a checker can give a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// Stable identifier stored with verdicts, e.g. `mostly_true`.
    pub key: String,
    /// What readers see, and ClaimReview's `alternateName`.
    pub label: String,
    /// ClaimReview `ratingValue`; `None` for unrated outcomes such as
    /// "Unverifiable", which carry only their label.
    pub value: Option<u8>,
    /// What the rating means, for the methodology footer of reports.
    pub meaning: String,
}

/// The installation's rating scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingScale {
    pub worst: u8,
    pub best: u8,
    pub ratings: Vec<Rating>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingScaleError {
    #[error("the rating scale has no ratings")]
    Empty,
    #[error("rating key {0:?} appears more than once")]
    DuplicateKey(String),
    #[error("rating {key:?} has value {value}, outside {worst}..={best}")]
    OutOfRange { key: String, value: u8, worst: u8, best: u8 },
    #[error("worst rating {worst} is not below best rating {best}")]
    Inverted { worst: u8, best: u8 },
}

fn rating(key: &str, label: &str, value: Option<u8>, meaning: &str) -> Rating {
    Rating { key: key.to_owned(), label: label.to_owned(), value, meaning: meaning.to_owned() }
}

impl Default for RatingScale {
    fn default() -> Self {
        RatingScale {
            worst: 1,
            best: 5,
            ratings: vec![
                rating("true", "True", Some(5), "Accurate, with nothing significant missing."),
                rating("mostly_true", "Mostly true", Some(4), "Accurate but needs clarification or context."),
                rating("mixed", "Mixed", Some(3), "Partly accurate, partly not."),
                rating("mostly_false", "Mostly false", Some(2), "Contains some truth but ignores facts that change the picture."),
                rating("false", "False", Some(1), "Not accurate."),
                rating("unverifiable", "Unverifiable", None, "The available evidence cannot settle it either way."),
                rating("misleading_context", "Misleading context", None, "Accurate in itself but presented so as to mislead."),
            ],
        }
    }
}

impl RatingScale {
    /// Checks a custom scale: non-empty, unique keys, values inside the range.
    pub fn validate(&self) -> Result<(), RatingScaleError> {
        if self.ratings.is_empty() {
            return Err(RatingScaleError::Empty);
        }
        if self.worst >= self.best {
            return Err(RatingScaleError::Inverted { worst: self.worst, best: self.best });
        }
        for (i, r) in self.ratings.iter().enumerate() {
            if self.ratings[..i].iter().any(|other| other.key == r.key) {
                return Err(RatingScaleError::DuplicateKey(r.key.clone()));
            }
            if let Some(value) = r.value
                && !(self.worst..=self.best).contains(&value)
            {
                return Err(RatingScaleError::OutOfRange { key: r.key.clone(), value, worst: self.worst, best: self.best });
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&Rating> {
        self.ratings.iter().find(|r| r.key == key)
    }

    /// The rating a person means by `name`: its key or its label, ignoring
    /// case and surrounding spaces (`Mostly false`, `mostly_false`).
    pub fn find(&self, name: &str) -> Option<&Rating> {
        let name = name.trim();
        self.ratings.iter().find(|r| r.key.eq_ignore_ascii_case(name) || r.label.trim().to_lowercase() == name.to_lowercase())
    }

    /// The rating of this scale closest to another fact-checker's rating
    /// label (an imported ClaimReview's `alternateName`): the same key or
    /// label, spelled with any case, spaces, hyphens or underscores, or a
    /// common other name for one of the default scale's ratings ("Pants on
    /// Fire" → `false`, "Mixture" → `mixed`, "Unproven" → `unverifiable`).
    /// `None` when nothing fits: the checker chooses.
    pub fn closest(&self, label: &str) -> Option<&Rating> {
        let fold = |s: &str| s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ").to_lowercase();
        let wanted = fold(label);
        if wanted.is_empty() {
            return None;
        }
        if let Some(r) = self.ratings.iter().find(|r| fold(&r.key) == wanted || fold(&r.label) == wanted) {
            return Some(r);
        }
        let key = OTHER_NAMES.iter().find(|(_, names)| names.contains(&wanted.as_str())).map(|(key, _)| *key)?;
        self.get(key)
    }

    /// How evidence rated `rating` bears on a claim: below the middle of
    /// the scale it refutes, above it supports; the middle and ratings
    /// without a value give context.
    pub fn stance(&self, rating: &Rating) -> crate::Stance {
        let Some(value) = rating.value else { return crate::Stance::Context };
        match (u16::from(value) * 2).cmp(&(u16::from(self.worst) + u16::from(self.best))) {
            std::cmp::Ordering::Less => crate::Stance::Refutes,
            std::cmp::Ordering::Greater => crate::Stance::Supports,
            std::cmp::Ordering::Equal => crate::Stance::Context,
        }
    }

    /// The keys, for messages.
    pub fn keys(&self) -> Vec<&str> {
        self.ratings.iter().map(|r| r.key.as_str()).collect()
    }
}

/// Other fact-checkers' names for the default scale's ratings, folded
/// (lower case, words separated by one space).
const OTHER_NAMES: &[(&str, &[&str])] = &[
    ("true", &["correct", "accurate", "correct attribution", "verified"]),
    ("mostly_true", &["largely true", "largely accurate"]),
    ("mixed", &["mixture", "half true", "partly true", "partly false", "half truth"]),
    ("mostly_false", &["largely false", "largely inaccurate", "barely true"]),
    ("false", &["pants on fire", "fake", "incorrect", "inaccurate", "wrong", "hoax", "scam", "fabricated", "misattributed"]),
    ("unverifiable", &["unproven", "unsupported", "no evidence", "unverified", "research in progress"]),
    ("misleading_context", &["misleading", "miscaptioned", "missing context", "out of context", "lacks context", "outdated"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_fact_checkers_labels_find_the_closest_rating() {
        let scale = RatingScale::default();
        let key = |label: &str| scale.closest(label).map(|r| r.key.as_str());
        assert_eq!(key("False"), Some("false"));
        assert_eq!(key("  MOSTLY-FALSE "), Some("mostly_false"));
        assert_eq!(key("mostly_true"), Some("mostly_true"));
        assert_eq!(key("Pants on Fire!"), Some("false"));
        assert_eq!(key("Mixture"), Some("mixed"));
        assert_eq!(key("Unproven"), Some("unverifiable"));
        assert_eq!(key("Miscaptioned"), Some("misleading_context"));
        assert_eq!(key("Satire"), None);
        assert_eq!(key(""), None);
        let stance = |k: &str| scale.stance(scale.get(k).unwrap());
        assert_eq!(stance("false"), crate::Stance::Refutes);
        assert_eq!(stance("mostly_false"), crate::Stance::Refutes);
        assert_eq!(stance("mixed"), crate::Stance::Context);
        assert_eq!(stance("mostly_true"), crate::Stance::Supports);
        assert_eq!(stance("unverifiable"), crate::Stance::Context);
        // A custom scale without the key a synonym points to finds nothing.
        let custom =
            RatingScale { worst: 1, best: 2, ratings: vec![rating("bad", "Bad", Some(1), ""), rating("good", "Good", Some(2), "")] };
        assert_eq!(custom.closest("Pants on fire").map(|r| r.key.as_str()), None);
        assert_eq!(custom.closest("good").map(|r| r.key.as_str()), Some("good"));
    }

    #[test]
    fn ratings_are_found_by_key_or_label_in_any_case() {
        let scale = RatingScale::default();
        for name in ["mostly_false", "Mostly false", " MOSTLY FALSE ", "Mostly_False"] {
            assert_eq!(scale.find(name).map(|r| r.key.as_str()), Some("mostly_false"), "{name:?}");
        }
        assert!(scale.find("bogus").is_none());
        assert!(scale.find("").is_none());
    }

    #[test]
    fn default_scale_matches_claimreview_values() {
        let scale = RatingScale::default();
        scale.validate().unwrap();
        assert_eq!(scale.get("true").unwrap().value, Some(5));
        assert_eq!(scale.get("false").unwrap().value, Some(1));
        assert_eq!(scale.get("unverifiable").unwrap().value, None);
        assert_eq!(scale.get("misleading_context").unwrap().label, "Misleading context");
    }

    #[test]
    fn invalid_scales_are_rejected() {
        let mut scale = RatingScale::default();
        scale.ratings.push(scale.ratings[0].clone());
        assert_eq!(scale.validate(), Err(RatingScaleError::DuplicateKey("true".into())));
        let mut scale = RatingScale::default();
        scale.ratings[0].value = Some(9);
        assert!(matches!(scale.validate(), Err(RatingScaleError::OutOfRange { .. })));
        let empty = RatingScale { worst: 1, best: 5, ratings: vec![] };
        assert_eq!(empty.validate(), Err(RatingScaleError::Empty));
    }
}
