use std::path::PathBuf;

/// A plugin file that could not be loaded, or (for
/// [`LoadProblem::StartedWithProblem`]) loaded with a warning.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct LoadError {
    pub path: PathBuf,
    pub problem: LoadProblem,
}

impl LoadError {
    /// Whether the plugin still loaded.
    pub fn is_warning(&self) -> bool {
        matches!(self.problem, LoadProblem::StartedWithProblem(_))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadProblem {
    #[error("cannot read plugin directory: {0}")]
    UnreadableDirectory(String),
    #[error("not a loadable shared library: {0}")]
    NotALibrary(String),
    /// Refused before it was mapped: mapping a file whose segments reach
    /// past its end kills the process on the first touch (SIGBUS).
    #[error("damaged or truncated library, not loaded: {0}")]
    Damaged(String),
    #[error("is not a file (a directory named like a library?); skipped")]
    NotAFile,
    #[error("not a claimdesk plugin: it does not export the symbol `claimdesk_plugin_v1`")]
    MissingEntrySymbol,
    #[error("`claimdesk_plugin_v1` returned no descriptor")]
    NullDescriptor,
    #[error(
        "built for plugin ABI version {found}, but this claimdesk speaks version {expected}; rebuild it against claimdesk-plugin-api {expected}"
    )]
    AbiMismatch { found: u32, expected: u32 },
    #[error("descriptor is {found} bytes, smaller than the {needed} bytes of ABI v1")]
    DescriptorTooSmall { found: usize, needed: usize },
    #[error("{field} is not valid UTF-8")]
    InvalidUtf8 { field: String },
    #[error("invalid plugin name {0:?}: use 1 to 64 lowercase letters, digits, '-' or '_'")]
    BadName(String),
    #[error("the descriptor lacks the `{0}` entry point")]
    MissingEntryPoint(&'static str),
    #[error("rule {index}: {problem}")]
    BadRule { index: usize, problem: String },
    #[error("refused to start: {0}")]
    CreateFailed(String),
    /// Not fatal: the plugin runs, but said something went wrong.
    #[error("started with a problem: {0}")]
    StartedWithProblem(String),
    #[error("a plugin named {name:?} is already loaded from {}", first.display())]
    Duplicate { name: String, first: PathBuf },
}

/// A plugin that failed on one document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("plugin {plugin} ({}): {error}", path.display())]
pub struct RunError {
    pub plugin: String,
    /// The library the plugin was loaded from.
    pub path: PathBuf,
    pub error: RunProblem,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunProblem {
    /// The host's sentence encoder failed on the document; plugins ran
    /// without vectors.
    #[error("could not encode the sentences: {0}")]
    Encoder(String),
    #[error("panicked: {0}")]
    Panicked(String),
    #[error("reported an error: {0}")]
    Reported(String),
    #[error("returned unknown status {0}")]
    UnknownStatus(u32),
    #[error("flag span {start}..{end} is outside the text ({len} bytes)")]
    SpanOutOfRange { start: usize, end: usize, len: usize },
    #[error("flag span {start}..{end} does not fall on character boundaries")]
    NotCharBoundary { start: usize, end: usize },
    #[error("flag names rule index {0}, which the plugin did not declare")]
    UnknownRule(u32),
    #[error("flag has {0}")]
    BadCode(#[from] claimdesk_core::UnknownCode),
    #[error("flag score {0} is not in [0, 1]")]
    BadScore(f32),
    #[error("flag {0} is not valid UTF-8")]
    InvalidUtf8(&'static str),
}
