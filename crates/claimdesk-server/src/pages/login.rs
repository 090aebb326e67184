//! `/login` and `/logout`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{html, ok, redirect};
use crate::auth::{Viewer, end_session, session_csrf, start_session, verify_password};
use crate::error::AppError;
use crate::{AppState, csrf};

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/login", login_page).post("/login", login).get("/logout", logout_page).post("/logout", logout);
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    name: String,
    error: Option<String>,
}

/// Only paths on this site: one leading `/`, no `//` anywhere (`/\t/x`
/// would become `//x` once a browser drops the tab), no backslash, no
/// control character or white space, at most 2 KiB; anything else goes to
/// the queue. The value arrives percent-decoded.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace())
                && n.len() <= 2048 =>
        {
            // Non-ASCII stays valid in the Location header once encoded.
            percent_encoding::utf8_percent_encode(n, percent_encoding::CONTROLS).to_string()
        }
        _ => "/queue".to_owned(),
    }
}

async fn login_page(req: HttpRequest, session: Session) -> Result<HttpResponse, AppError> {
    // Read leniently: whatever `next` holds, the login page is shown, and
    // a `next` that is not a plain path on this site becomes the queue.
    let query: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let next = query.iter().find(|(k, _)| k == "next").map(|(_, v)| v.as_str());
    ok(&LoginPage { csrf: session_csrf(&session), next: safe_next(next), name: String::new(), error: None })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    csrf_token: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: crate::input::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let next = safe_next(form.next.as_deref());
    let name = form.name.trim().to_owned();
    let account = claimdesk_core::input::user_name_key(&name);
    let address = state.client_address(&req).map(|ip| ip.to_string()).unwrap_or_default();
    let attempt = state.throttle.begin(&account, &address).map_err(AppError::TooManyRequests)?;
    if !attempt.delay.is_zero() {
        actix_web::rt::time::sleep(attempt.delay).await;
    }
    let user = state.store.user_by_name(&name).await?;
    // Hash even for unknown users, so timing does not reveal which names exist.
    let hash = user.as_ref().map_or(state.dummy_hash.as_str(), |u| u.password_hash.as_str());
    let password = form.password.clone();
    let hash = hash.to_owned();
    let matches = web::block(move || verify_password(&password, &hash)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let succeeded = matches && user.as_ref().is_some_and(|u| u.active);
    state.throttle.finish(attempt, succeeded);
    match user {
        Some(user) if succeeded => {
            start_session(&state, &session, user.id).await?;
            Ok(redirect(&next))
        }
        _ => {
            let page = LoginPage {
                csrf: session_csrf(&session),
                next,
                name,
                error: Some("Wrong name or password, or the account is deactivated.".to_owned()),
            };
            html(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    csrf: String,
    name: String,
}

async fn logout_page(viewer: Viewer) -> Result<HttpResponse, AppError> {
    ok(&LogoutPage { csrf: viewer.csrf, name: viewer.name })
}

async fn logout(state: web::Data<AppState>, session: Session, form: crate::input::Form<super::CsrfOnly>) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    end_session(&state, &session).await?;
    Ok(redirect("/login"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(super::safe_next(Some("/claims/4?x=1")), "/claims/4?x=1");
        assert_eq!(super::safe_next(Some("/queue?q=café")), "/queue?q=caf%C3%A9");
        for bad in [
            "//evil.example/", "https://evil.example/", "/\\evil", "queue", "/\t/evil.example/", "/\n/evil.example/",
            "/\r\nSet-Cookie: x=1", "/\u{b}/evil", "/ /evil", "/a//evil", "",
        ] {
            assert_eq!(super::safe_next(Some(bad)), "/queue", "{bad}");
        }
    }
}
