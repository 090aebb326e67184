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

    /// The keys, for messages.
    pub fn keys(&self) -> Vec<&str> {
        self.ratings.iter().map(|r| r.key.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
