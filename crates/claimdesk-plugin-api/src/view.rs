//! The document as a plugin sees it.

use claimdesk_core::{Analysis, Span};

use crate::abi::{AttributionV1, DocViewV1, NO_INDEX, QuoteV1, SpanV1, Str};

fn span_v1(span: Span) -> SpanV1 {
    SpanV1 { start: span.start, end: span.end }
}

/// A quotation as a plugin sees it: the ABI's [`QuoteV1`] with its
/// sentinels and byte flags turned into Rust types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// The quotation including its marks.
    pub span: SpanV1,
    /// The quoted words.
    pub inner: SpanV1,
    /// Index into [`Text::attributions`] of who said it.
    pub speaker: Option<usize>,
    /// Whether the closing mark was found.
    pub closed: bool,
}

impl From<&QuoteV1> for Quote {
    fn from(q: &QuoteV1) -> Self {
        Quote { span: q.span, inner: q.inner, speaker: index(q.speaker), closed: q.closed == 1 }
    }
}

/// A speech attribution as a plugin sees it ([`AttributionV1`], typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    /// Index of the sentence it belongs to.
    pub sentence: usize,
    /// The speaker's words, when the attribution names one.
    pub speaker: Option<SpanV1>,
    /// The reporting verb or phrase ("said", "according to").
    pub cue: SpanV1,
    /// An unnamed source ("officials", "a person familiar with").
    pub anonymous: bool,
    /// For a pronoun, the attribution naming the person.
    pub refers_to: Option<usize>,
}

impl From<&AttributionV1> for Attribution {
    fn from(a: &AttributionV1) -> Self {
        Attribution {
            sentence: a.sentence,
            speaker: (a.has_speaker == 1).then_some(a.speaker),
            cue: a.cue,
            anonymous: a.anonymous == 1,
            refers_to: index(a.refers_to),
        }
    }
}

fn index(raw: usize) -> Option<usize> {
    (raw != NO_INDEX).then_some(raw)
}

/// The ABI arrays for one analysed document, built once and lent to every
/// plugin (through [`DocBuffers::view`]) or to a linked checker (through
/// [`DocBuffers::text`]).
#[derive(Debug, Clone, Default)]
pub struct DocBuffers {
    sentences: Vec<SpanV1>,
    quotes: Vec<QuoteV1>,
    attributions: Vec<AttributionV1>,
    /// Sentence vectors, row-major; empty when there are none.
    embeddings: Vec<f32>,
    embedding_dim: usize,
    embedding_model: String,
}

impl DocBuffers {
    pub fn new(analysis: &Analysis) -> Self {
        DocBuffers {
            sentences: analysis.sentences.iter().map(|s| span_v1(s.span)).collect(),
            quotes: analysis
                .quotes
                .iter()
                .map(|q| QuoteV1 {
                    span: span_v1(q.span),
                    inner: span_v1(q.inner),
                    speaker: q.speaker.unwrap_or(NO_INDEX),
                    closed: u8::from(q.closed),
                })
                .collect(),
            attributions: analysis
                .attributions
                .iter()
                .map(|a| AttributionV1 {
                    sentence: a.sentence,
                    speaker: span_v1(a.speaker.unwrap_or(Span::new(0, 0))),
                    cue: span_v1(a.cue),
                    has_speaker: u8::from(a.speaker.is_some()),
                    anonymous: u8::from(a.anonymous),
                    refers_to: a.refers_to.unwrap_or(NO_INDEX),
                })
                .collect(),
            ..DocBuffers::default()
        }
    }

    /// Lends plugins one vector per sentence, made by model `model`;
    /// `vectors` holds `sentences × dimension` f32s, row `i` for sentence
    /// `i`. Refused (returning false, leaving none) when the count does
    /// not match the sentences.
    pub fn set_embeddings(&mut self, model: &str, dimension: usize, vectors: Vec<f32>) -> bool {
        if dimension == 0 || vectors.len() != self.sentences.len() * dimension {
            return false;
        }
        (self.embeddings, self.embedding_dim, self.embedding_model) = (vectors, dimension, model.to_owned());
        true
    }

    /// The C view of `text` with these arrays; valid while both are borrowed.
    pub fn view(&self, text: &str) -> DocViewV1 {
        DocViewV1 {
            struct_size: std::mem::size_of::<DocViewV1>(),
            text: Str::new(text),
            sentences: self.sentences.as_ptr(),
            sentences_len: self.sentences.len(),
            quotes: self.quotes.as_ptr(),
            quotes_len: self.quotes.len(),
            attributions: self.attributions.as_ptr(),
            attributions_len: self.attributions.len(),
            embeddings: if self.embeddings.is_empty() { std::ptr::null() } else { self.embeddings.as_ptr() },
            embedding_dim: if self.embeddings.is_empty() { 0 } else { self.embedding_dim },
            embedding_model: Str::new(&self.embedding_model),
        }
    }

    /// The safe view, for calling a checker linked as a Rust crate.
    pub fn text<'a>(&'a self, text: &'a str) -> Text<'a> {
        Text {
            text,
            sentences: &self.sentences,
            quotes: &self.quotes,
            attributions: &self.attributions,
            embeddings: &self.embeddings,
            embedding_dim: self.embedding_dim,
            embedding_model: &self.embedding_model,
        }
    }
}

/// One sentence of the document.
#[derive(Debug, Clone, Copy)]
pub struct Sentence<'a> {
    pub index: usize,
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// The document handed to [`crate::Checker::check`]: its text plus the
/// core's sentences, quotations and attributions. All offsets are byte
/// offsets into [`Text::as_str`].
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    text: &'a str,
    sentences: &'a [SpanV1],
    quotes: &'a [QuoteV1],
    attributions: &'a [AttributionV1],
    embeddings: &'a [f32],
    embedding_dim: usize,
    embedding_model: &'a str,
}

/// # Safety
/// `ptr` must be null with `len` 0, or point to `len` valid `T`s living for `'a`.
unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: upheld by the caller.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

impl<'a> Text<'a> {
    /// Reads the view a host lent for one call. Only the fields that
    /// `view.struct_size` covers are read: a field a host's view does not
    /// have reads as empty, and fields a newer host appends are ignored, so
    /// the view can grow without breaking plugins built before.
    ///
    /// # Safety
    /// `view` must come from a host honouring ABI v1: valid UTF-8 text and
    /// arrays that outlive `'a`, with spans inside the text.
    pub unsafe fn from_view(view: &'a DocViewV1) -> Text<'a> {
        use std::mem::{offset_of, size_of};
        let covers = |offset: usize, size: usize| view.struct_size >= offset + size;
        let text = if covers(offset_of!(DocViewV1, text), size_of::<crate::abi::Str>()) {
            // SAFETY: the host guarantees the text is UTF-8 and borrowed for the call.
            unsafe { std::str::from_utf8_unchecked(view.text.as_bytes()) }
        } else {
            ""
        };
        let array = |len_offset: usize| covers(len_offset, size_of::<usize>());
        let (embeddings, embedding_dim, embedding_model) =
            if covers(offset_of!(DocViewV1, embedding_model), size_of::<crate::abi::Str>()) && view.embedding_dim > 0 {
                // SAFETY: a v1.2 host lends `sentences_len × embedding_dim` f32s and the model's UTF-8 name for the call.
                unsafe {
                    let len = view.sentences_len.saturating_mul(view.embedding_dim);
                    let model = std::str::from_utf8(view.embedding_model.as_bytes()).unwrap_or("");
                    (slice(view.embeddings, len), view.embedding_dim, model)
                }
            } else {
                (&[][..], 0, "")
            };
        // SAFETY: the host lends these arrays for the duration of the call.
        unsafe {
            Text {
                embeddings,
                embedding_dim,
                embedding_model,
                text,
                sentences: if array(offset_of!(DocViewV1, sentences_len)) { slice(view.sentences, view.sentences_len) } else { &[] },
                quotes: if array(offset_of!(DocViewV1, quotes_len)) { slice(view.quotes, view.quotes_len) } else { &[] },
                attributions: if array(offset_of!(DocViewV1, attributions_len)) {
                    slice(view.attributions, view.attributions_len)
                } else {
                    &[]
                },
            }
        }
    }

    pub fn as_str(&self) -> &'a str {
        self.text
    }

    pub fn sentences(&self) -> impl Iterator<Item = Sentence<'a>> + 'a {
        let text = self.text;
        self.sentences.iter().enumerate().map(move |(index, s)| Sentence {
            index,
            start: s.start,
            end: s.end,
            text: text.get(s.start..s.end).unwrap_or(""),
        })
    }

    /// Sentence `index`'s vector from the host's encoder, and the id of the
    /// model that made it; `None` when the host lent none (the fast
    /// profile, or a host older than ABI v1.2).
    pub fn embedding(&self, index: usize) -> Option<(&'a [f32], &'a str)> {
        let dim = self.embedding_dim;
        let row = self.embeddings.get(index.checked_mul(dim)?..index.checked_add(1)?.checked_mul(dim)?)?;
        (dim > 0).then_some((row, self.embedding_model))
    }

    /// The quotations, in text order.
    pub fn quotes(&self) -> impl ExactSizeIterator<Item = Quote> + 'a {
        self.quotes.iter().map(Quote::from)
    }

    /// The speech attributions, in text order.
    pub fn attributions(&self) -> impl ExactSizeIterator<Item = Attribution> + 'a {
        self.attributions.iter().map(Attribution::from)
    }

    /// The quotation containing byte `offset`, if any.
    pub fn quote_at(&self, offset: usize) -> Option<Quote> {
        let i = self.quotes.partition_point(|q| q.span.end <= offset);
        self.quotes.get(i).filter(|q| q.span.start <= offset).map(Quote::from)
    }

    /// The name of whoever an attribution points at, following pronouns;
    /// `None` for `None`, an unknown index or an unnamed speaker.
    pub fn speaker_name(&self, attribution: Option<usize>) -> Option<&'a str> {
        let a = Attribution::from(self.attributions.get(attribution?)?);
        let named = a.refers_to.and_then(|i| self.attributions.get(i)).map_or(a, Attribution::from);
        named.speaker.and_then(|s| self.text.get(s.start..s.end))
    }

    /// Attributions of sentence `index`, with their indexes. Attributions
    /// are in text order, so by sentence: found by binary search, not a
    /// scan of the document's attributions per sentence.
    pub fn attributions_of(&self, index: usize) -> impl Iterator<Item = (usize, Attribution)> + 'a {
        let first = self.attributions.partition_point(|a| a.sentence < index);
        self.attributions[first..]
            .iter()
            .map(Attribution::from)
            .enumerate()
            .map(move |(i, a)| (first + i, a))
            .take_while(move |(_, a)| a.sentence == index)
    }

    /// The quotations that lie within bytes `start..end` (a sentence's
    /// span, say), in text order; found by binary search.
    pub fn quotes_within(&self, start: usize, end: usize) -> impl Iterator<Item = Quote> + 'a {
        let first = self.quotes.partition_point(|q| q.span.start < start);
        self.quotes[first..].iter().map(Quote::from).take_while(move |q| q.span.start < end).filter(move |q| q.span.end <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_read_only_as_far_as_its_struct_size_says() {
        let text = "“It will pay for itself,” the mayor said. Costs doubled.";
        let analysis = claimdesk_core::analyze(text);
        let buffers = DocBuffers::new(&analysis);
        let full = buffers.view(text);
        // SAFETY: the view and its buffers live for the whole test.
        let read = unsafe { Text::from_view(&full) };
        assert_eq!((read.as_str(), read.sentences().count()), (text, 2));
        assert!(read.quotes().len() == 1 && read.attributions().len() > 0);
        // A newer host's larger view: the fields we know are read as before.
        let newer = DocViewV1 { struct_size: full.struct_size + 16, ..full };
        // SAFETY: as above; the extra size is never read.
        assert_eq!(unsafe { Text::from_view(&newer) }.sentences().count(), 2);
        // A view that ends before the quotes: they, and what follows, read as empty.
        let older = DocViewV1 { struct_size: std::mem::offset_of!(DocViewV1, quotes), ..full };
        // SAFETY: as above.
        let read = unsafe { Text::from_view(&older) };
        assert_eq!((read.sentences().count(), read.quotes().len(), read.attributions().len()), (2, 0, 0));
        // Sentence vectors: lent by a v1.2 host, absent from an older one's view.
        let mut lent = DocBuffers::new(&analysis);
        assert!(!lent.set_embeddings("m1", 3, vec![1.0; 5]), "one row short");
        assert!(lent.set_embeddings("m1", 3, vec![0.5, 0.25, 1.0, 2.0, 3.0, 4.0]));
        let with = lent.view(text);
        // SAFETY: as above.
        let read = unsafe { Text::from_view(&with) };
        assert_eq!(read.embedding(1), Some((&[2.0f32, 3.0, 4.0][..], "m1")));
        assert_eq!(read.embedding(2), None);
        let before = DocViewV1 { struct_size: crate::abi::DOC_VIEW_V1_1_SIZE, ..with };
        // SAFETY: as above.
        assert_eq!(unsafe { Text::from_view(&before) }.embedding(0), None);
        assert_eq!(buffers.text(text).embedding(0), None, "none lent");
        let bare = DocViewV1 { struct_size: 0, ..full };
        // SAFETY: as above.
        assert_eq!(unsafe { Text::from_view(&bare) }.as_str(), "");
    }

    #[test]
    fn a_sentences_attributions_and_quotes_are_found_by_search() {
        let text = "Costs doubled, the mayor said. Nobody knows. “It will pay,” Ana Ruiz said, and officials said so too. \
                    Taxes rose “a lot”. “Fine,” he said.";
        let analysis = claimdesk_core::analyze(text);
        let buffers = DocBuffers::new(&analysis);
        let doc = buffers.text(text);
        let sentences: Vec<_> = doc.sentences().collect();
        assert_eq!(sentences.len(), 5);
        for s in &sentences {
            // The searched answers are the scanned ones.
            let scanned: Vec<usize> = doc.attributions().enumerate().filter(|(_, a)| a.sentence == s.index).map(|(i, _)| i).collect();
            let searched: Vec<usize> = doc
                .attributions_of(s.index)
                .map(|(i, a)| {
                    assert_eq!(a.sentence, s.index);
                    i
                })
                .collect();
            assert_eq!(searched, scanned, "sentence {}", s.index);
            let scanned: Vec<_> = doc.quotes().filter(|q| q.span.start >= s.start && q.span.end <= s.end).map(|q| q.span).collect();
            assert_eq!(doc.quotes_within(s.start, s.end).map(|q| q.span).collect::<Vec<_>>(), scanned, "sentence {}", s.index);
        }
        assert_eq!(doc.attributions_of(1).count(), 0, "nobody is quoted in the second sentence");
        assert!(doc.attributions_of(2).count() >= 2, "Ana Ruiz and the officials");
        assert_eq!(doc.quotes_within(sentences[3].start, sentences[3].end).count(), 1);
        assert_eq!(doc.attributions_of(99).count(), 0);
        assert_eq!(doc.quotes_within(text.len(), text.len()).count(), 0);
    }
}
