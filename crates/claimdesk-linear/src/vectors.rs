//! Word vectors: the average of a sentence's word vectors as dense model
//! input. Pre-trained vectors (GloVe) know that "outrageous", "shameful"
//! and "disgraceful" are alike, which a few hundred labelled sentences
//! cannot teach hashed words; the subjectivity model reads them.
//!
//! Stored in a model file as a sorted vocabulary and one `i8` table with a
//! single scale. Loading builds a hash table of the words, and a model
//! projects each word's vector on its weights once, so scoring a sentence
//! costs a lookup and an addition per word and no allocation.

use std::io::BufRead;

/// A vocabulary with one vector per word, quantised to `i8`.
#[derive(Debug, Clone, PartialEq)]
pub struct WordVectors {
    dims: usize,
    /// The value of one `i8` step.
    scale: f32,
    /// The words, sorted, one after another.
    text: String,
    /// Where each word ends in `text` (it starts where the previous ends).
    ends: Vec<u32>,
    /// `ends.len() × dims` values, in the words' order.
    table: Vec<i8>,
    /// Open-addressing hash table of word index + 1 (0 = empty), a power
    /// of two at least twice the vocabulary: a lookup is a hash and a
    /// probe or two, which scoring every word of every sentence needs.
    slots: Vec<u32>,
}

fn hash(word: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in word.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as usize
}

#[derive(Debug, thiserror::Error)]
pub enum VectorsError {
    #[error("cannot read word vectors: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
    #[error("no word vectors found")]
    Empty,
}

impl WordVectors {
    /// Reads the first `limit` words of a GloVe-style text file (`word v1 …
    /// vN` per line, most frequent words first). Words are lower-cased;
    /// the first vector of a word wins.
    pub fn read_text(reader: impl BufRead, limit: usize) -> Result<WordVectors, VectorsError> {
        let mut rows: Vec<(String, Vec<f32>)> = Vec::new();
        let mut dims = 0;
        for (i, line) in reader.lines().enumerate() {
            if rows.len() >= limit {
                break;
            }
            let line = line?;
            // CRLF files and trailing blanks are common in exported vectors.
            let mut parts = line.trim_end().split(' ');
            let Some(word) = parts.next().filter(|w| !w.is_empty()) else { continue };
            let values: Result<Vec<f32>, _> = parts.map(str::parse::<f32>).collect();
            let values = values.map_err(|e| VectorsError::Line { line: i + 1, problem: format!("not a number: {e}") })?;
            if values.is_empty() {
                return Err(VectorsError::Line { line: i + 1, problem: format!("the word {word:?} has no vector") });
            }
            if dims == 0 {
                dims = values.len();
            }
            if values.len() != dims || values.iter().any(|v| !v.is_finite()) {
                return Err(VectorsError::Line { line: i + 1, problem: format!("expected {dims} finite numbers, found {}", values.len()) });
            }
            rows.push((word.to_lowercase(), values));
        }
        if rows.is_empty() {
            return Err(VectorsError::Empty);
        }
        // Stable sort keeps the more frequent duplicate first.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.dedup_by(|later, earlier| later.0 == earlier.0);
        let largest = rows.iter().flat_map(|(_, v)| v.iter()).fold(0.0_f32, |m, v| m.max(v.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
        let mut vectors = WordVectors { dims, scale, text: String::new(), ends: Vec::new(), table: Vec::new(), slots: Vec::new() };
        for (word, values) in rows {
            vectors.text.push_str(&word);
            vectors.ends.push(vectors.text.len() as u32);
            vectors.table.extend(values.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8));
        }
        vectors.fill_slots();
        Ok(vectors)
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn fill_slots(&mut self) {
        let size = (2 * self.ends.len()).next_power_of_two();
        self.slots = vec![0; size];
        for i in 0..self.ends.len() {
            let mut slot = hash(self.word(i)) & (size - 1);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            self.slots[slot] = i as u32 + 1;
        }
    }

    fn index(&self, word: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut slot = hash(word) & mask;
        loop {
            let entry = self.slots[slot] as usize;
            if entry == 0 {
                return None;
            }
            if self.word(entry - 1) == word {
                return Some(entry - 1);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Each word's vector's dot product with `weights`: with them a
    /// sentence's score is a sum of one number per word.
    pub fn project(&self, weights: &[f32]) -> Vec<f32> {
        self.table
            .chunks_exact(self.dims)
            .map(|row| row.iter().zip(weights).map(|(&v, w)| f32::from(v) * w).sum::<f32>() * self.scale)
            .collect()
    }

    /// The average of `projection` (from [`WordVectors::project`]) over
    /// the known words among `words`: the dot product of the weights with
    /// the sentence's average vector.
    pub fn average_projected<'a>(&self, words: impl Iterator<Item = &'a str>, projection: &[f32]) -> f32 {
        let (mut sum, mut known) = (0.0_f32, 0u32);
        self.each_known(words, |i| {
            known += 1;
            sum += projection.get(i).copied().unwrap_or(0.0);
        });
        if known == 0 { 0.0 } else { sum / known as f32 }
    }

    /// The average vector of the known words among `words` into `out`
    /// (zeros when none is known).
    pub fn average<'a>(&self, words: impl Iterator<Item = &'a str>, out: &mut Vec<f32>) {
        out.clear();
        out.resize(self.dims, 0.0);
        let mut known = 0u32;
        self.each_known(words, |i| {
            known += 1;
            for (sum, &v) in out.iter_mut().zip(&self.table[i * self.dims..(i + 1) * self.dims]) {
                *sum += f32::from(v);
            }
        });
        if known > 0 {
            let factor = self.scale / known as f32;
            out.iter_mut().for_each(|v| *v *= factor);
        }
    }

    /// Calls `found` with the index of each known word.
    fn each_known<'a>(&self, words: impl Iterator<Item = &'a str>, mut found: impl FnMut(usize)) {
        let mut lower = String::new();
        for word in words {
            let word = if !word.is_ascii() {
                lower.clear();
                lower.extend(word.chars().flat_map(char::to_lowercase));
                lower.as_str()
            } else if word.bytes().any(|b| b.is_ascii_uppercase()) {
                lower.clear();
                lower.push_str(word);
                lower.make_ascii_lowercase();
                lower.as_str()
            } else {
                word
            };
            // GloVe splits the possessive off: "council's" → "council".
            let word = word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")).unwrap_or(word);
            if let Some(i) = self.index(word) {
                found(i);
            }
        }
    }

    /// Appends the vectors in the model file layout: dims, words, scale,
    /// the words' bytes with their end offsets, then the table.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.dims as u32).to_le_bytes());
        out.extend_from_slice(&(self.ends.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&(self.text.len() as u32).to_le_bytes());
        out.extend_from_slice(self.text.as_bytes());
        for end in &self.ends {
            out.extend_from_slice(&end.to_le_bytes());
        }
        out.extend(self.table.iter().map(|&v| v as u8));
    }

    /// Reads what [`WordVectors::write`] wrote; `None` if it is malformed.
    /// Returns the vectors and the bytes after them.
    pub(crate) fn read(bytes: &[u8]) -> Option<(WordVectors, &[u8])> {
        let word = |b: &[u8], i: usize| b.get(i..i + 4).and_then(|w| <[u8; 4]>::try_from(w).ok());
        let dims = u32::from_le_bytes(word(bytes, 0)?) as usize;
        let count = u32::from_le_bytes(word(bytes, 4)?) as usize;
        let scale = f32::from_le_bytes(word(bytes, 8)?);
        let text_len = u32::from_le_bytes(word(bytes, 12)?) as usize;
        if dims == 0 || dims > 4096 || count == 0 || !(scale.is_finite() && scale > 0.0) {
            return None;
        }
        let rest = bytes.get(16..)?;
        let text = std::str::from_utf8(rest.get(..text_len)?).ok()?.to_owned();
        let rest = &rest[text_len..];
        let ends: Vec<u32> = rest.get(..4 * count)?.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let rest = &rest[4 * count..];
        let table: Vec<i8> = rest.get(..dims * count)?.iter().map(|&b| b as i8).collect();
        let rest = &rest[dims * count..];
        // Offsets must rise, stay in the text and fall on char boundaries;
        // sorted words cannot repeat, so each word has one vector.
        let mut start = 0usize;
        let mut previous: Option<&str> = None;
        for &end in &ends {
            let end = end as usize;
            if end <= start || end > text.len() || !text.is_char_boundary(end) {
                return None;
            }
            let current = &text[start..end];
            if previous.is_some_and(|p| p >= current) {
                return None;
            }
            previous = Some(current);
            start = end;
        }
        if start != text.len() {
            return None;
        }
        let mut vectors = WordVectors { dims, scale, text, ends, table, slots: Vec::new() };
        vectors.fill_slots();
        Some((vectors, rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "the 0.1 0.2\nGood 1.0 -1.0\nbad -1.0 0.5\ngood 9 9\ncouncil 0.5 0.5\n";

    #[test]
    fn averages_known_words_case_blind() {
        let vectors = WordVectors::read_text(SAMPLE.as_bytes(), 100).unwrap();
        assert_eq!((vectors.len(), vectors.dims()), (4, 2), "the duplicate \"good\" is dropped");
        let mut out = Vec::new();
        vectors.average(["GOOD", "unknown", "bad"].into_iter(), &mut out);
        assert!((out[0] - 0.0).abs() < 0.02 && (out[1] + 0.25).abs() < 0.02, "{out:?}");
        vectors.average(["council’s"].into_iter(), &mut out);
        assert!((out[0] - 0.5).abs() < 0.02, "possessive stripped: {out:?}");
        vectors.average(["nothing", "known"].into_iter(), &mut out);
        assert_eq!(out, vec![0.0, 0.0]);
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let vectors = WordVectors::read_text(SAMPLE.as_bytes(), 3).unwrap();
        assert_eq!(vectors.len(), 3, "the limit counts lines");
        let mut bytes = Vec::new();
        vectors.write(&mut bytes);
        bytes.extend_from_slice(b"tail");
        let (back, rest) = WordVectors::read(&bytes).unwrap();
        assert_eq!((back, rest), (vectors, b"tail".as_slice()));
        for cut in [0, 10, 20, bytes.len() - 5] {
            assert!(WordVectors::read(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        // Unsorted words: swap the first two offsets' meaning by corrupting text.
        let mut unsorted = bytes.clone();
        unsorted[16] = b'z';
        assert!(WordVectors::read(&unsorted).is_none());
    }

    #[test]
    fn bad_text_files_are_errors() {
        assert!(matches!(WordVectors::read_text("a 1 2\nb 1\n".as_bytes(), 10), Err(VectorsError::Line { line: 2, .. })));
        assert!(matches!(WordVectors::read_text("a 1 x\n".as_bytes(), 10), Err(VectorsError::Line { line: 1, .. })));
        assert!(matches!(WordVectors::read_text("".as_bytes(), 10), Err(VectorsError::Empty)));
        assert!(matches!(WordVectors::read_text("a 1 2\nb\n".as_bytes(), 10), Err(VectorsError::Line { line: 2, .. })));
        assert!(matches!(WordVectors::read_text("a 1 inf\n".as_bytes(), 10), Err(VectorsError::Line { line: 1, .. })));
        let crlf = WordVectors::read_text("a 1 2 \r\nb 3 4\r\n".as_bytes(), 10).unwrap();
        assert_eq!((crlf.len(), crlf.dims()), (2, 2), "CRLF and trailing blanks are tolerated");
    }
}
