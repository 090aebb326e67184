//! `/plugins`, `/users` and `/settings` (admins).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_store::User;
use serde::Deserialize;

use super::{Chrome, chrome, html, redirect, set_flash};
use crate::auth::{Role, Viewer, hash_password_off_thread};
use crate::error::AppError;
use crate::state::SECOND_REVIEW;
use crate::{AppState, csrf};

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/plugins", plugins)
        .get("/users", users)
        .post("/users", add_user)
        .post("/users/{id}", update_user)
        .post("/settings", settings)
        .post("/plugins/desk-head/restore", restore_shipped_head);
}

/// What the plugins page says about the check-worthiness model in use.
pub struct DeskModel {
    /// `desk` (the fine-tuned encoder) or `fast` (word models only).
    profile: &'static str,
    /// The desk's own head's record (decisions, figures), when it has one.
    desk_head: Option<DeskHeadRecord>,
}

pub struct DeskHeadRecord {
    /// How it was trained and measured, if the record is readable.
    info: Option<claimdesk_store::DeskHeadInfo>,
    /// This node already scores with it (else within a minute).
    in_use: bool,
    /// The desk model it was trained for, when not the one loaded here
    /// (then the shipped head is used).
    other_model: Option<String>,
}

impl DeskHeadRecord {
    fn new(info: Option<claimdesk_store::DeskHeadInfo>, in_use: bool, loaded: Option<&str>) -> DeskHeadRecord {
        let other_model = info.as_ref().map(|i| i.desk_model.clone()).filter(|m| loaded.is_some_and(|loaded| loaded != m));
        DeskHeadRecord { info, in_use, other_model }
    }
}

/// Switches the desk back to the shipped check-worthiness head, on every
/// node (this one at once, the others within a minute).
async fn restore_shipped_head(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<super::CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    let had = state.store.clear_desk_head().await?;
    state.host.follow(&state.store).await?;
    tracing::info!(admin = %viewer.name, had, "check-worthiness switched back to the shipped head");
    set_flash(
        &session,
        if had { "Check-worthiness is scored with the shipped model again." } else { "The desk already used the shipped model." },
    );
    Ok(redirect("/plugins"))
}

pub struct PluginRow {
    /// Runs and failures since the server started.
    health: claimdesk_plugin_host::HealthReport,
    pub name: String,
    pub version: String,
    pub description: String,
    pub path: String,
    pub rules: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "plugins.html")]
struct PluginsPage {
    chrome: Chrome,
    plugins: Vec<PluginRow>,
    load_errors: Vec<String>,
    desk_model: DeskModel,
    /// Claim matching: `Err(reason)` when it is off.
    matching: Result<usize, String>,
}

async fn plugins(state: web::Data<AppState>, session: Session, viewer: Viewer) -> Result<HttpResponse, AppError> {
    viewer.require(Role::Admin)?;
    let host = state.host.host();
    let plugins = host
        .health()
        .map(|(p, health)| PluginRow {
            health,
            name: p.name.to_string(),
            version: p.version.to_string(),
            description: p.description.clone(),
            path: p.path.display().to_string(),
            rules: p
                .rules
                .iter()
                .map(|r| (r.id.to_string(), r.kind.as_str().to_owned(), r.severity.as_str().to_owned(), r.description.clone()))
                .collect(),
        })
        .collect();
    let load_errors = host.load_errors().iter().map(ToString::to_string).collect();
    let matching = state.library.status().map(|()| state.library.indexed()).map_err(str::to_owned);
    let desk_head =
        state.store.desk_head().await?.map(|h| DeskHeadRecord::new(h.info, state.host.desk_head_in_use(), host.encoder_model()));
    let desk_model = DeskModel { profile: if host.encoder_model().is_some() { "desk" } else { "fast" }, desk_head };
    let page = PluginsPage { chrome: chrome(&state, &session, viewer, "plugins").await?, plugins, load_errors, desk_model, matching };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    csrf_token: Option<String>,
    name: String,
    role: String,
    password: String,
    active: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<User>,
    roles: &'static [Role],
    input: UserForm,
    errors: Vec<String>,
    second_review: bool,
    publish_needs_evidence: bool,
    organization_name: String,
    organization_url: String,
    public_url: String,
    /// The bound address links fall back to, when nothing better is set.
    public_url_guess: Option<String>,
}

async fn users_page(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    input: UserForm,
    errors: Vec<String>,
) -> Result<UsersPage, AppError> {
    Ok(UsersPage {
        chrome: chrome(state, session, viewer, "users").await?,
        users: state.store.users().await?,
        roles: Role::ALL,
        input,
        errors,
        second_review: state.policy().await?.require_second_review,
        publish_needs_evidence: state.policy().await?.publish_needs_evidence,
        organization_name: state.store.setting(claimdesk_report::ORGANIZATION_NAME).await?.unwrap_or_default(),
        organization_url: state.store.setting(claimdesk_report::ORGANIZATION_URL).await?.unwrap_or_default(),
        public_url: state.store.setting(claimdesk_report::PUBLIC_URL).await?.unwrap_or_default(),
        public_url_guess: Some(state.public_url().await?).filter(|u| u.is_guess()).map(|u| u.url),
    })
}

async fn users(state: web::Data<AppState>, session: Session, viewer: Viewer) -> Result<HttpResponse, AppError> {
    viewer.require(Role::Admin)?;
    let page = users_page(&state, &session, viewer, UserForm::default(), Vec::new()).await?;
    html(StatusCode::OK, &page)
}

/// User names: 1 to 64 letters, digits, `.`, `_` or `-`.
pub fn valid_user_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub const MIN_PASSWORD: usize = 10;

async fn add_user(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    let mut input = form.into_inner();
    let name = input.name.trim().to_owned();
    let mut errors = Vec::new();
    if !valid_user_name(&name) {
        errors.push("A user name is 1 to 64 letters, digits, '.', '_' or '-'.".to_owned());
    }
    let role = input.role.parse::<Role>().ok();
    if role.is_none() {
        errors.push("Choose a role: checker, editor or admin.".to_owned());
    }
    if input.password.chars().count() < MIN_PASSWORD {
        errors.push(format!("The password needs at least {MIN_PASSWORD} characters."));
    }
    if errors.is_empty() && state.store.user_by_name(&name).await?.is_some() {
        errors.push(format!("There is already a user named {name:?}."));
    }
    let password = std::mem::take(&mut input.password);
    match role {
        Some(role) if errors.is_empty() => {
            let hash = hash_password_off_thread(password).await?;
            state.store.add_user(&name, &hash, role).await?;
            state.choices.forget();
            set_flash(&session, &format!("User {name} added as {}.", role.as_str()));
            Ok(redirect("/users"))
        }
        _ => {
            let page = users_page(&state, &session, viewer, input, errors).await?;
            html(StatusCode::BAD_REQUEST, &page)
        }
    }
}

async fn update_user(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    let id = id.into_inner();
    let user = state.store.user(id).await?;
    let Ok(role) = form.role.parse::<Role>() else {
        let errors = vec!["Choose a role: checker, editor or admin.".to_owned()];
        let page = users_page(&state, &session, viewer, UserForm::default(), errors).await?;
        return html(StatusCode::BAD_REQUEST, &page);
    };
    let active = form.active == "true";
    if user.id == viewer.id && (!active || role < Role::Admin) {
        let errors = vec!["You cannot demote or deactivate yourself; ask another admin.".to_owned()];
        let page = users_page(&state, &session, viewer, UserForm::default(), errors).await?;
        return html(StatusCode::BAD_REQUEST, &page);
    }
    let password = form.password.clone();
    if !password.is_empty() && password.chars().count() < MIN_PASSWORD {
        let errors = vec![format!("The new password for {} needs at least {MIN_PASSWORD} characters.", user.name)];
        let page = users_page(&state, &session, viewer, UserForm::default(), errors).await?;
        return html(StatusCode::BAD_REQUEST, &page);
    }
    let hash = if password.is_empty() { None } else { Some(hash_password_off_thread(password).await?) };
    state.store.update_user(id, role, active, hash.as_deref()).await?;
    state.users.forget(id);
    state.choices.forget();
    state.sessions.forget_user(id);
    let changed_password = if hash.is_some() { ", with a new password" } else { "" };
    set_flash(
        &session,
        &format!("{} is now {}{}{changed_password}.", user.name, role.as_str(), if active { "" } else { " (deactivated)" }),
    );
    Ok(redirect("/users"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsForm {
    csrf_token: Option<String>,
    second_review: Option<String>,
    publish_needs_evidence: Option<String>,
    /// Report settings; a field the form did not send stays as it is.
    organization_name: Option<String>,
    organization_url: Option<String>,
    public_url: Option<String>,
}

async fn settings(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    let form = form.into_inner();
    let mut report_settings = Vec::new();
    for (key, value, must_be_url) in [
        (claimdesk_report::ORGANIZATION_NAME, &form.organization_name, false),
        (claimdesk_report::ORGANIZATION_URL, &form.organization_url, true),
        (claimdesk_report::PUBLIC_URL, &form.public_url, true),
    ] {
        let Some(mut value) = value.as_deref().map(str::trim).map(str::to_owned) else { continue };
        if must_be_url && !value.is_empty() && !super::is_web_url(&value) {
            return Err(AppError::BadRequest(format!("{value:?} is not a web address starting with http:// or https://.")));
        }
        if key == claimdesk_report::PUBLIC_URL && !value.is_empty() {
            value = claimdesk_core::input::public_base_url(&value)
                .map_err(|problem| AppError::BadRequest(format!("The public address {value:?} {problem}.")))?;
        }
        if value.chars().count() > 200 {
            return Err(AppError::BadRequest("Settings are at most 200 characters.".to_owned()));
        }
        report_settings.push((key, value));
    }
    for (key, value) in &report_settings {
        state.store.set_setting(key, value).await?;
    }
    let mut messages = Vec::new();
    if let Some(second_review) = &form.second_review {
        let on = second_review == "true";
        state.store.set_setting(SECOND_REVIEW, if on { "true" } else { "false" }).await?;
        messages.push(if on {
            "A second review is now required before publishing."
        } else {
            "Claims can be published without a second review."
        });
    }
    if let Some(needs) = &form.publish_needs_evidence {
        let on = needs == "true";
        state.store.set_setting(crate::state::PUBLISH_NEEDS_EVIDENCE, if on { "true" } else { "false" }).await?;
        messages.push(if on { "Publishing now needs at least one evidence item." } else { "Claims can be published without evidence." });
    }
    // After every write: a view in between may have cached the old rules.
    state.shown_policy.forget();
    state.public_pages.forget_all();
    if !report_settings.is_empty() {
        messages.push("Report settings saved.");
    }
    set_flash(&session, &messages.join(" "));
    Ok(redirect("/users"))
}
