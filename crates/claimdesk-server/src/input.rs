//! The one gate for what requests send: `Form`, `Json` and `Query`
//! extractors that refuse a control character in any value (or key) with
//! 400 and a message naming the field, before a handler sees it. The policy
//! itself is [`claimdesk_core::input`]; the multipart ingest form applies
//! it through [`claimdesk_core::Document::validate`].
//!
//! Handlers use these, never `web::Form`, `web::Json` or `web::Query`
//! directly (a unit test below reads the sources to keep it so).

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, web};
use claimdesk_core::input::{ControlChar, check_text};
use serde::de::DeserializeOwned;

use crate::error::AppError;

fn refusal(req: &HttpRequest, message: String) -> actix_web::Error {
    crate::error::answer(req, AppError::BadRequest(message))
}

fn check_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<(), ControlChar> {
    for (key, value) in pairs {
        check_text("a field name", key.as_ref())?;
        check_text(key.as_ref(), value.as_ref())?;
    }
    Ok(())
}

/// Checked extractors: each holds the value read into `T`.
macro_rules! checked {
    ($($name:ident: $doc:literal),*) => {$(
        #[doc = $doc]
        #[derive(Debug)]
        pub struct $name<T>(pub T);

        impl<T> $name<T> {
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> std::ops::Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }
    )*};
}

checked!(Form: "A urlencoded form body, checked.", Query: "A query string, checked.", Json: "A JSON body, checked: every string and key in it.");

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        // actix reads the body (with its size limit and error handler) as
        // pairs; they are checked, then read into `T`.
        let pairs = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let pairs = pairs.await?.into_inner();
            check_pairs(pairs.iter().map(|(k, v)| (k, v))).map_err(|e| refusal(&req, e.to_string()))?;
            let encoded = serde_urlencoded::to_string(&pairs).map_err(|e| refusal(&req, format!("malformed form: {e}")))?;
            let value = serde_urlencoded::from_str(&encoded).map_err(|e| refusal(&req, format!("malformed form: {e}")))?;
            Ok(Form(value))
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let read = || {
            // Decoded in place (no copy unless a value is escaped), checked,
            // then read into `T` as actix's own `Query` would.
            check_pairs(form_urlencoded::parse(req.query_string().as_bytes())).map_err(|e| refusal(req, e.to_string()))?;
            let value = serde_urlencoded::from_str(req.query_string()).map_err(|e| refusal(req, format!("malformed query string: {e}")))?;
            Ok(Query(value))
        };
        std::future::ready(read())
    }
}

fn check_json(value: &serde_json::Value, field: &str) -> Result<(), ControlChar> {
    match value {
        serde_json::Value::String(s) => check_text(field, s),
        serde_json::Value::Array(items) => items.iter().try_for_each(|v| check_json(v, field)),
        serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            check_text("a field name", k)?;
            check_json(v, k)
        }),
        _ => Ok(()),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let value = value.await?.into_inner();
            check_json(&value, "the body").map_err(|e| refusal(&req, e.to_string()))?;
            let value = serde_json::from_value(value).map_err(|e| refusal(&req, format!("malformed JSON body: {e}")))?;
            Ok(Json(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_in_keys_values_and_nested_json() {
        assert!(check_pairs([("q", "a b\tc")]).is_ok());
        let err = check_pairs(form_urlencoded::parse(b"x=1&q=a%00b")).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("q", 0));
        assert!(check_pairs([("a\u{1}", "x")]).is_err());
        assert_eq!(check_pairs(form_urlencoded::parse(b"outlet=%0B")).unwrap_err().code, 0x0b);
        let json = serde_json::json!({"body": "ok", "list": [1, {"note": "x\u{0}"}]});
        assert_eq!(check_json(&json, "the body").unwrap_err().field, "note");
        assert!(check_json(&serde_json::json!({"body": "fine\n"}), "the body").is_ok());
    }

    /// Every handler reads requests through this module: a raw actix
    /// extractor would let a control character past the policy.
    #[test]
    fn handlers_use_the_checked_extractors() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut offenders = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("input.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for raw in ["web::Form<", "web::Json<", "web::Query<"] {
                    if text.contains(raw) {
                        offenders.push(format!("{}: {raw}", path.display()));
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "use crate::input's extractors: {offenders:?}");
    }
}
