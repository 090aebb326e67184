//! `/claims/{id}`: one claim in context, and every action on it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_core::{Command, DismissalKind, NewEvidence, Rating, ShortForm, SpeakerKind, Stance, Verb};
use claimdesk_store::{ClaimRow, EvidenceRow, FlagView};
use serde::Deserialize;

use super::{Chrome, chrome, html, redirect, set_flash, when};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::highlight::{Mark, Segment, paragraph_spans, segments};
use crate::{AppState, csrf};

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    // 13: with the claim's vector stored at its first view, every view
    // compares it with the claims already checked (kept in memory; one
    // statement asks whether they changed).
    r.get("/claims/{id}", show)
        .budget(13)
        .post("/claims/{id}/use/{item}", use_match)
        .post("/claims/{id}/copies/dismiss", dismiss_copies)
        .post("/claims/{id}/{action}", act);
}

/// Every field any claim form sends; each action reads the ones it needs.
/// All strings, so a malformed value is reported on the re-shown form
/// rather than rejected before the handler sees it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub csrf_token: Option<String>,
    pub version: String,
    /// The newest history entry the page showed, to tell what changed.
    pub seen: String,
    pub to: String,
    pub rating: String,
    pub explanation: String,
    pub reason: String,
    /// A `DismissalKind` name.
    pub dismissal_kind: String,
    pub url: String,
    pub title: String,
    pub quoted_passage: String,
    pub note: String,
    pub stance: String,
    /// An archive's copy of the evidence's address.
    pub archived_url: String,
    /// Which evidence item an edit or deletion is of.
    pub evidence_id: String,
    /// `1`: delete the evidence item instead of saving it.
    pub delete: String,
    /// The short form reports publish (ClaimReview `claimReviewed`).
    pub claim_reviewed: String,
    /// The speaker's name, and `named`, `anonymous` or `outlet`.
    pub speaker: String,
    pub speaker_kind: String,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub before: String,
    pub after: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage {
    chrome: Chrome,
    claim: ClaimRow,
    document_label: String,
    document_url: String,
    context: Vec<Segment>,
    flags: Vec<FlagView>,
    evidence: Vec<EvidenceRow>,
    events: Vec<EventView>,
    ratings: Vec<Rating>,
    verdict_label: String,
    users: Vec<String>,
    last_event: i64,
    form: ActionForm,
    /// Which form the kept input and the error belong to.
    form_action: String,
    error: Option<String>,
    changes: Vec<EventView>,
    /// What the viewer may do to the claim now (the core's permission check).
    permitted: Vec<Verb>,
    /// Internal notes, oldest first.
    notes: Vec<claimdesk_store::NoteRow>,
    /// Why an editor cannot publish the resolved claim yet (no evidence, no
    /// second review), shown on the disabled button.
    publish_blocked: Option<String>,
    /// The sentence's default short form, worked out once for the page.
    default_short_form: ShortForm,
    /// Earlier fact-checks close to the claim, or why there are none.
    checked_before: Result<crate::library::Matches, String>,
    /// The same claim in other documents.
    copies: Vec<CopyView>,
    /// The viewer may dismiss at least one copy now (the bulk action).
    may_dismiss_copies: bool,
    /// The sentence's check-worthiness and why it scored so.
    score: Option<claimdesk_store::SentenceScore>,
    /// Claims the desk resolved or published that this one resembles.
    similar_checked: Vec<(claimdesk_store::CheckedClaim, f32)>,
}

pub struct CopyView {
    pub copy: claimdesk_store::ClaimCopy,
    pub document: String,
}

impl ClaimPage {
    fn can(&self, verb: Verb) -> bool {
        self.permitted.contains(&verb)
    }

    /// Whether reports publish a default short form that drops part of
    /// the sentence (a later clause, or a cut mid-phrase).
    fn short_form_is_cut(&self) -> bool {
        self.claim.claim_reviewed.is_none() && self.default_short_form.cut
    }

    /// The short form as reports show it now: the editor's, or the default.
    fn claim_reviewed(&self) -> String {
        self.claim.claim_reviewed.clone().unwrap_or_else(|| self.default_short_form.text.clone())
    }

    /// The short form field's value: kept input after a refusal, else the current one.
    fn claim_reviewed_field(&self) -> String {
        if self.form_action == "summarize" { self.form.claim_reviewed.clone() } else { self.claim_reviewed() }
    }

    /// The speaker field's value: kept input after a refusal, else the claim's.
    fn speaker_field(&self) -> String {
        if self.form_action == "speaker" { self.form.speaker.clone() } else { self.claim.speaker.clone().unwrap_or_default() }
    }

    /// Whether `kind` is the one the speaker form shows selected.
    fn dismissal_kind_is(&self, kind: &DismissalKind) -> bool {
        if self.form_action == "dismiss" { self.form.dismissal_kind == kind.as_str() } else { *kind == DismissalKind::Other }
    }

    fn speaker_kind_is(&self, kind: &SpeakerKind) -> bool {
        if self.form_action == "speaker" { self.form.speaker_kind == kind.as_str() } else { self.claim.speaker_kind == *kind }
    }

    /// The value an evidence item's edit form shows for `field`: the kept
    /// input after a refusal of that item's edit, else the item's own.
    fn evidence_field(&self, e: &EvidenceRow, field: &str) -> String {
        if self.form_action == "edit_evidence" && self.form.evidence_id == e.id.to_string() {
            let form = &self.form;
            return match field {
                "url" => &form.url,
                "title" => &form.title,
                "quoted_passage" => &form.quoted_passage,
                "note" => &form.note,
                "stance" => &form.stance,
                _ => &form.archived_url,
            }
            .clone();
        }
        match field {
            "url" => Some(e.url.clone()),
            "title" => e.title.clone(),
            "quoted_passage" => e.quoted_passage.clone(),
            "note" => e.note.clone(),
            "stance" => Some(e.stance.to_string()),
            _ => e.archived_url.clone(),
        }
        .unwrap_or_default()
    }

    /// Whether the edit form of item `e` is the one a refusal belongs to.
    fn editing(&self, e: &EvidenceRow) -> bool {
        self.form_action == "edit_evidence" && self.form.evidence_id == e.id.to_string()
    }

    fn kept(&self, action: &str, value: &str) -> String {
        if self.form_action == action { value.to_owned() } else { String::new() }
    }

    fn error_for(&self, action: &str) -> Option<String> {
        if self.form_action == action { self.error.clone() } else { None }
    }

    /// Errors of the small forms, and every stale-version refusal, go at
    /// the top; the big forms show theirs beside their fields.
    fn top_error(&self) -> Option<String> {
        let beside_form =
            matches!(self.form_action.as_str(), "evidence" | "edit_evidence" | "verdict" | "dismiss" | "summarize" | "speaker")
                && self.changes.is_empty();
        if beside_form { None } else { self.error.clone() }
    }
}

fn describe(action: &str, detail: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    match action {
        "assign" => match v.get("to").and_then(|x| x.as_str()) {
            Some(to) => format!("assigned to {to}"),
            None => "unassigned".to_owned(),
        },
        "resolve" => format!("verdict {}: {}", s("rating"), s("explanation")),
        "dismiss" => match s("kind").parse::<DismissalKind>() {
            Ok(kind) if kind.label() == s("reason") => kind.label().to_owned(),
            Ok(kind) => format!("{}: {}", kind.label(), s("reason")),
            Err(_) => format!("reason: {}", s("reason")),
        },
        "add_evidence" => format!("{} ({})", s("url"), s("stance")),
        "add_note" | "edit_note" => v.get("note").and_then(|n| n.as_i64()).map_or_else(String::new, |n| format!("note #{n}")),
        "add_claim" => {
            let note = s("note");
            if note.is_empty() { "added by hand".to_owned() } else { format!("added by hand: {note}") }
        }
        "edit_evidence" | "delete_evidence" => {
            let item = |side: &str| {
                let e = v.get(side);
                let field = |k: &str| e.and_then(|e| e.get(k)).and_then(|x| x.as_str()).unwrap_or("").to_owned();
                format!("{} ({})", field("url"), field("stance"))
            };
            if action == "edit_evidence" { format!("{} → {}", item("before"), item("after")) } else { format!("was {}", item("before")) }
        }
        "summarize" if s("text").trim().is_empty() => "short form reset to the sentence".to_owned(),
        "summarize" => format!("short form: {}", s("text")),
        "edit_speaker" => match (s("kind").as_str(), s("speaker")) {
            ("outlet", _) => "speaker: the outlet itself".to_owned(),
            ("anonymous", name) => format!("speaker: {name} (unnamed source)"),
            (_, name) => format!("speaker: {name}"),
        },
        _ => String::new(),
    }
}

fn event_views(events: Vec<claimdesk_store::EventRow>) -> Vec<EventView> {
    events
        .into_iter()
        .map(|e| EventView {
            at: when(e.at),
            detail: describe(&e.action, &e.detail),
            actor: e.actor,
            action: e.action.replace('_', " "),
            before: e.before.to_string(),
            after: e.after.to_string(),
        })
        .collect()
}

async fn page(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    id: i64,
    form: ActionForm,
    form_action: &str,
    error: Option<String>,
) -> Result<ClaimPage, AppError> {
    let claim = state.store.claim(id).await?;
    let document = state.store.document(claim.document_id).await?;
    let flags = state.store.claim_flags(id).await?;
    let evidence = state.store.claim_evidence(id).await?;
    let events = state.store.claim_events(id).await?;
    let policy = state.shown_policy().await?;
    let (users, _) = state.choices.get(&state.store).await?;
    let last_event = events.last().map_or(0, |e| e.id);
    let seen: i64 = form.seen.parse().unwrap_or(i64::MAX);
    let changes = if error.is_some() { event_views(events.iter().filter(|e| e.id > seen).cloned().collect()) } else { Vec::new() };
    // The paragraph holding the sentence, with the sentence and its flags marked.
    let (start, end) = (claim.start.max(0) as usize, claim.end.max(0) as usize);
    let (p_start, p_end) =
        paragraph_spans(&document.body).into_iter().find(|&(a, b)| a <= start && start < b.max(a + 1)).unwrap_or((start, end));
    let mut marks = vec![Mark { start, end, class: "sentence".to_owned(), title: String::new() }];
    marks.extend(flags.iter().filter(|f| !f.stale).map(|f| Mark {
        start: f.start as usize,
        end: f.end as usize,
        class: format!("k-{}", f.kind),
        title: format!("{}: {}", f.rule, f.message),
    }));
    let verdict_label =
        claim.verdict.as_deref().map(|v| policy.scale.get(v).map_or_else(|| v.to_owned(), |r| r.label.clone())).unwrap_or_default();
    // The claim's stored vector, read once for both comparisons.
    // A claim the background matcher has not reached yet is encoded now,
    // once, and recorded as the matcher would: later views read it.
    let stored = match crate::library::Library::stored_vector(&state.store, id).await {
        Ok(Some(stored)) => Some(stored),
        Ok(None) if state.library.encoder().is_ok() => state.library.match_claim_now(&state.store, id, &claim.text).await.map_or_else(
            |error| {
                tracing::warn!(%error, claim = id, "could not encode the claim");
                None
            },
            Some,
        ),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, claim = id, "could not read the claim's vector");
            None
        }
    };
    let checked_before = state.library.claim_matches_with(&state.store, &claim, stored.as_ref(), 5).await.map_err(|e| e.to_string());
    let copies = state.store.claim_copies(id).await?;
    let standing = claim.standing_for(&viewer.name, evidence.len());
    let publish_blocked = match Verb::Publish.check(viewer.role, standing, &policy) {
        Err(e @ (claimdesk_core::TransitionError::NeedsEvidence | claimdesk_core::TransitionError::NeedsSecondReview)) => {
            Some(upper_first(&e.to_string()))
        }
        _ => None,
    };
    let may_dismiss_copies = copies.iter().any(|c| Verb::Dismiss.check(viewer.role, c.standing(), &policy).is_ok());
    let mut document_ids: Vec<i64> = copies.iter().map(|c| c.document_id).collect();
    document_ids.sort_unstable();
    document_ids.dedup();
    let labels = if document_ids.is_empty() { Default::default() } else { state.labels.get(&state.store, &document_ids).await? };
    let copies = copies
        .into_iter()
        .map(|copy| {
            let document = labels.get(&copy.document_id).map(|(label, _)| label.clone()).unwrap_or_default();
            CopyView { copy, document }
        })
        .collect();
    let score = state.store.sentence_score(claim.document_id, claim.sentence_index).await?;
    let vector = stored.as_ref().map(|(v, _)| v.as_slice());
    let similar_checked = match vector {
        None => Vec::new(),
        Some(_) => match state.checked.get(&state.store).await {
            Ok(checked) => crate::cache::similar_checked(&checked, id, vector, 3),
            Err(error) => {
                tracing::warn!(%error, claim = id, "could not compare the claim with checked claims");
                Vec::new()
            }
        },
    };
    Ok(ClaimPage {
        score,
        similar_checked,
        copies,
        may_dismiss_copies,
        checked_before,
        notes: state.store.claim_notes(id).await?,
        permitted: claimdesk_core::permitted(viewer.role, standing, &policy),
        publish_blocked,
        default_short_form: claimdesk_core::default_short_form(&claim.text),
        chrome: chrome(state, session, viewer, "queue").await?,
        context: segments(&document.body, p_start, p_end.max(end).min(document.body.len()), &marks),
        document_label: document.title.clone().or(document.origin.clone()).unwrap_or_else(|| format!("Document {}", document.id)),
        document_url: document.source_url.unwrap_or_default(),
        claim,
        flags,
        evidence,
        events: event_views(events),
        ratings: policy.scale.ratings,
        verdict_label,
        users,
        last_event,
        form,
        form_action: form_action.to_owned(),
        error,
        changes,
    })
}

async fn show(state: web::Data<AppState>, session: Session, viewer: Viewer, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let page = page(&state, &session, viewer, id.into_inner(), ActionForm::default(), "", None).await?;
    html(StatusCode::OK, &page)
}

/// The command a claim form asks for, and the claim version the form was
/// made against (evidence needs none). Everything a form sends is a string,
/// so that a malformed value is reported on the re-shown form, input kept.
fn command(verb: Verb, form: &ActionForm) -> Result<(Command, Option<i32>), AppError> {
    let bad = |message: &str| Err(AppError::BadRequest(message.to_owned()));
    let version = match (verb, form.version.trim().parse()) {
        (Verb::Evidence | Verb::EditEvidence, _) => None,
        (_, Ok(version)) => Some(version),
        (_, Err(_)) => return bad("The form lost its version; reload the page."),
    };
    let command = match verb {
        Verb::Assign => Command::Assign { to: Some(form.to.clone()) },
        Verb::Start => Command::Start,
        Verb::Evidence => {
            let Ok(stance) = form.stance.parse::<Stance>() else {
                return bad("Choose whether the evidence supports, refutes or gives context to the claim.");
            };
            Command::AddEvidence(evidence_of(form, stance))
        }
        Verb::EditEvidence => {
            let Ok(id) = form.evidence_id.trim().parse::<i64>() else {
                return bad("The form lost which evidence item it is of; reload the page.");
            };
            if form.delete == "1" {
                Command::DeleteEvidence { id }
            } else {
                let Ok(stance) = form.stance.parse::<Stance>() else {
                    return bad("Choose whether the evidence supports, refutes or gives context to the claim.");
                };
                Command::EditEvidence { id, evidence: evidence_of(form, stance) }
            }
        }
        Verb::Verdict => Command::Verdict { rating: form.rating.clone(), explanation: form.explanation.clone() },
        Verb::Approve => Command::Approve,
        Verb::Dismiss => {
            // A form from before the kinds existed sends none: another reason.
            let name = if form.dismissal_kind.is_empty() { DismissalKind::Other.as_str() } else { form.dismissal_kind.as_str() };
            let Ok(kind) = name.parse::<DismissalKind>() else {
                return bad("Choose why the claim is dismissed: not check-worthy, a duplicate, or another reason.");
            };
            Command::Dismiss { kind, reason: form.reason.clone() }
        }
        Verb::Reopen => Command::Reopen,
        Verb::Publish => Command::Publish,
        Verb::Unpublish => Command::Unpublish,
        Verb::Summarize => Command::Summarize { text: form.claim_reviewed.clone() },
        Verb::Speaker => {
            let Ok(kind) = form.speaker_kind.parse::<SpeakerKind>() else {
                return bad("Choose who made the claim: a named speaker, an unnamed source, or the outlet itself.");
            };
            Command::EditSpeaker { speaker: form.speaker.clone(), kind }
        }
    };
    Ok((command, version))
}

/// The evidence item an add or edit form describes.
fn evidence_of(form: &ActionForm, stance: Stance) -> NewEvidence {
    let some = |s: &str| Some(s.to_owned());
    NewEvidence {
        url: form.url.clone(),
        title: some(&form.title),
        quoted_passage: some(&form.quoted_passage),
        note: some(&form.note),
        stance,
        archived_url: some(&form.archived_url),
    }
}

/// What the re-shown claim page says about a refusal.
fn refusal_message(error: &AppError) -> String {
    match error {
        AppError::StaleVersion(_) => "Someone changed this claim after you opened it, so your change was not applied. \
             What changed is listed below; your input is kept in the form — check it and submit again."
            .to_owned(),
        AppError::NotAllowedNow(message) => format!("Not possible now: {message}."),
        AppError::Internal(detail) => {
            tracing::error!(%detail, "claim change failed");
            "The change could not be saved; the error is in the server log.".to_owned()
        }
        other => upper_first(&other.to_string()),
    }
}

use super::upper_first;

async fn act(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    path: web::Path<(i64, String)>,
    form: crate::input::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let (id, action) = path.into_inner();
    let verb: Verb = action.parse().map_err(|e| AppError::NotFound(format!("There is no claim action: {e}.")))?;
    let form = form.into_inner();
    let claim = state.store.claim(id).await?;
    let outcome = match command(verb, &form) {
        Ok((command, version)) => crate::claims::execute(&state, &viewer.name, viewer.role, &claim, version, command).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(message) => {
            set_flash(&session, &message);
            Ok(redirect(&format!("/claims/{id}")))
        }
        Err(error) => refused(&state, &session, viewer, id, form, verb, error).await,
    }
}

/// The claim page again, with the refusal and the input kept.
async fn refused(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    id: i64,
    form: ActionForm,
    verb: Verb,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let status = error.status();
    if matches!(error, AppError::Unavailable(_) | AppError::LoginRequired(_)) {
        return Err(error);
    }
    let page = page(state, session, viewer, id, form, verb.as_str(), Some(refusal_message(&error))).await?;
    html(status, &page)
}

/// "Use this verdict" on a match in the Checked-before panel: the earlier
/// fact-check becomes evidence, and the verdict form comes back filled with
/// its rating and an explanation, for the checker to confirm.
async fn use_match(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    path: web::Path<(i64, i64)>,
    form: crate::input::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let (id, item) = path.into_inner();
    let claim = state.store.claim(id).await?;
    let proposal = match crate::claims::use_match(&state, &viewer.name, viewer.role, &claim, item).await {
        Ok(proposal) => proposal,
        Err(error) => return refused(&state, &session, viewer, id, form.into_inner(), Verb::Evidence, error).await,
    };
    let claim = state.store.claim(id).await?;
    let filled = ActionForm {
        version: claim.version.to_string(),
        rating: proposal.rating.clone(),
        explanation: proposal.explanation,
        ..ActionForm::default()
    };
    let mut page = page(&state, &session, viewer, id, filled, "verdict", None).await?;
    let added = if proposal.evidence_added { "The earlier fact-check was added as evidence. " } else { "" };
    let unmatched = if proposal.rating.is_empty() { " Its rating fits none of this desk's; choose one." } else { "" };
    page.chrome.flash = Some(format!("{added}Check the proposed verdict below and save it to confirm.{unmatched}"));
    html(StatusCode::OK, &page)
}

/// Resolves the claim's copies in other documents as its duplicates.
async fn dismiss_copies(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let id = id.into_inner();
    let claim = state.store.claim(id).await?;
    let done = match crate::claims::dismiss_copies(&state, &viewer.name, viewer.role, &claim).await {
        Ok(done) => done,
        Err(error) => return refused(&state, &session, viewer, id, form.into_inner(), Verb::Dismiss, error).await,
    };
    let mut message = format!(
        "{} cop{} dismissed as duplicates of this claim.",
        done.dismissed.len(),
        if done.dismissed.len() == 1 { "y" } else { "ies" }
    );
    for skipped in &done.skipped {
        message.push_str(&format!(" Claim #{} left as it was: {}.", skipped.id, skipped.reason));
    }
    set_flash(&session, &message);
    Ok(redirect(&format!("/claims/{id}#copies")))
}
