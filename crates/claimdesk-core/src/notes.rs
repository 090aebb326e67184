//! Internal notes on claims: who a note mentions, and why a user is told
//! about it.

crate::named_enum! {
    /// Why a user got a notification.
    pub enum NotificationKind as "notification kind" {
        /// The note names them (`@name`).
        Mention = "mention",
        /// A note on a claim they are assigned to or reviewed.
        Note = "note",
    }
}

/// The longest note, in characters.
pub const MAX_NOTE: usize = 5000;

/// The user names a note mentions: each `@name` (letters, digits, `.`,
/// `_`, `-`, as user names are) that does not follow a letter or digit (so
/// an e-mail address mentions nobody), without repeats, in order; a
/// trailing `.` is the sentence's, not the name's.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts = c == '@' && previous.is_none_or(|p| !p.is_alphanumeric());
        previous = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[at + 1..];
        let len = rest.find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))).unwrap_or(rest.len());
        let name = rest[..len].trim_end_matches('.');
        if !name.is_empty() && name.chars().count() <= 64 && !found.iter().any(|f| f == name) {
            found.push(name.to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_names_after_an_at_sign() {
        assert_eq!(mentions("@ann, can you and @bob.k check this? Thanks @ann."), ["ann", "bob.k"]);
        assert_eq!(mentions("Mail press@ministry.example for the figures"), Vec::<String>::new());
        assert_eq!(mentions("(@Zoë) and @"), ["Zoë"]);
        assert_eq!(mentions("Ask @ed."), ["ed"]);
        assert_eq!(mentions("no one"), Vec::<String>::new());
    }
}
