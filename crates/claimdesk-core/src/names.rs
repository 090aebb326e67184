//! Enumerations with stable snake_case names: the one way a closed list of
//! words (a status, a flag kind, a role) is spelled in JSON, the database,
//! URLs and forms. [`named_enum!`] writes the enum, its `ALL` list,
//! `as_str`, `Display`, `FromStr` and serde from one table, so a variant and
//! its name cannot drift apart.

/// A name that is not one of an enumeration's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not a {what} (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub found: String,
    pub expected: String,
}

impl UnknownName {
    pub fn new<'a>(what: &'static str, found: &str, names: impl IntoIterator<Item = &'a str>) -> Self {
        // Keep what the error repeats short: the value may be anything.
        let found: String = found.chars().take(64).collect();
        UnknownName { what, found, expected: names.into_iter().collect::<Vec<_>>().join(", ") }
    }
}

/// What every [`named_enum!`] enumeration is: its list and its names, for
/// code that serves any of them (a command-line value parser, a form's
/// select).
pub trait Named: Copy + Eq + std::fmt::Display + std::str::FromStr<Err = UnknownName> + Send + Sync + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];
    /// The stable snake_case name.
    fn name(self) -> &'static str;
}

/// Declares an enumeration whose variants have stable snake_case names:
///
/// ```
/// claimdesk_core::named_enum! {
///     /// How a door stands.
///     pub enum Door as "door state" {
///         Open = "open",
///         Shut = "shut",
///     }
/// }
/// assert_eq!("shut".parse::<Door>(), Ok(Door::Shut));
/// assert_eq!(Door::Open.to_string(), "open");
/// assert_eq!(Door::ALL.len(), 2);
/// ```
///
/// A variant may carry an explicit discriminant after its name
/// (`Vague = "vague" => 0`), for codes that cross the plugin ABI.
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(=> $code:literal)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant $(= $code)? ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl $crate::Named for $name {
            const ALL: &'static [$name] = $name::ALL;

            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::UnknownName::new($what, s, $name::ALL.iter().map(|v| v.as_str()))),
                }
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(<D::Error as $crate::__serde::de::Error>::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    named_enum! {
        enum Sample as "sample" {
            One = "one",
            TwoWords = "two_words",
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for v in Sample::ALL {
            assert_eq!(v.as_str().parse::<Sample>(), Ok(*v));
            assert_eq!(serde_json::from_str::<Sample>(&serde_json::to_string(v).unwrap()).unwrap(), *v);
        }
        let err = "three".parse::<Sample>().unwrap_err();
        assert_eq!(err.to_string(), "\"three\" is not a sample (expected one of: one, two_words)");
        assert!(serde_json::from_str::<Sample>("\"One\"").is_err(), "names are exact");
    }
}
