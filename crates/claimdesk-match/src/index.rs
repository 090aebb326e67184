//! An in-memory scan over the library's vectors, stored as 8-bit codes with
//! one scale per vector (a quarter of f32's memory and bandwidth: by
//! arithmetic about 400 MB for a million vectors with scales and ids). The
//! cosine it returns is within about 0.01 of the f32 one (tested), far below
//! what separates a match from a miss.
//!
//! Up to [`EXACT_UP_TO`] items every code is scored. Beyond, the scan
//! reads only each vector's sign bits first (48 bytes for 384 components,
//! an eighth of the codes) and scores the codes of the nearest by Hamming
//! distance — a shortlist of at least [`SHORTLIST_MIN`] and
//! [`SHORTLIST_PER_RESULT`] per result asked for. docs/PERFORMANCE.md and
//! docs/DETECTION.md give its speed and what it loses.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Libraries up to this size are scanned exactly; larger ones through a
/// sign-bit shortlist.
pub const EXACT_UP_TO: usize = 200_000;
/// The shortlist holds at least this many items…
pub const SHORTLIST_MIN: usize = 2_000;
/// …and this many per result asked for.
pub const SHORTLIST_PER_RESULT: usize = 20;

/// Vectors by item id; all of one dimension.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dimension: usize,
    ids: Vec<i64>,
    codes: Vec<i8>,
    scales: Vec<f32>,
    /// Sign bits, `words` 64-bit words per vector.
    bits: Vec<u64>,
    words: usize,
    position: HashMap<i64, usize>,
    exact_up_to: usize,
    /// Shortlist size: at least `.0`, and `.1` per result asked for.
    shortlist: (usize, usize),
}

fn signs(vector: &[f32], out: &mut [u64]) {
    out.iter_mut().for_each(|w| *w = 0);
    for (i, x) in vector.iter().enumerate() {
        if *x > 0.0 {
            out[i / 64] |= 1 << (i % 64);
        }
    }
}

/// Hamming distance of every row of `bits` (rows of `q.len()` words) to `q`.
#[inline(always)]
fn hamming_portable(q: &[u64], bits: &[u64], out: &mut Vec<u16>) {
    out.extend(bits.chunks_exact(q.len()).map(|row| row.iter().zip(q).map(|(a, b)| (a ^ b).count_ones()).sum::<u32>() as u16));
}

/// [`hamming_portable`] compiled with AVX-512's vector population count.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
fn hamming_avx512(q: &[u64], bits: &[u64], out: &mut Vec<u16>) {
    hamming_portable(q, bits, out);
}

/// [`hamming_portable`] with the scalar `popcnt` instruction (the default
/// x86-64 target counts bits in software).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn hamming_popcnt(q: &[u64], bits: &[u64], out: &mut Vec<u16>) {
    hamming_portable(q, bits, out);
}

fn hamming(q: &[u64], bits: &[u64], out: &mut Vec<u16>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512vpopcntdq") {
        // SAFETY: the CPU supports AVX-512F and VPOPCNTDQ (and so POPCNT),
        // checked just above; the function needs only those features.
        unsafe { hamming_avx512(q, bits, out) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU supports POPCNT, checked just above.
        unsafe { hamming_popcnt(q, bits, out) };
        return;
    }
    hamming_portable(q, bits, out);
}

fn quantize(vector: &[f32], codes: &mut [i8]) -> f32 {
    let max = vector.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    for (code, x) in codes.iter_mut().zip(vector) {
        *code = (x / scale).round().clamp(-127.0, 127.0) as i8;
    }
    scale
}

/// Every row of `codes` (rows of `q.len()`) dotted with `q`, into `out`.
#[inline(always)]
fn dots_portable(q: &[i8], codes: &[i8], out: &mut Vec<i32>) {
    out.extend(codes.chunks_exact(q.len()).map(|row| row.iter().zip(q).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum::<i32>()));
}

/// [`dots_portable`] compiled for AVX2, where the widening multiply-adds
/// vectorise (the default x86-64 target stops at SSE2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dots_avx2(q: &[i8], codes: &[i8], out: &mut Vec<i32>) {
    dots_portable(q, codes, out);
}

/// The same for AVX-512 (byte and word instructions).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
fn dots_avx512(q: &[i8], codes: &[i8], out: &mut Vec<i32>) {
    dots_portable(q, codes, out);
}

fn dots(q: &[i8], codes: &[i8], out: &mut Vec<i32>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512bw") {
        // SAFETY: the CPU supports AVX-512F and BW, checked just above; the
        // function only needs those target features to be sound.
        unsafe { dots_avx512(q, codes, out) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above; the function
        // only needs that target feature to be sound.
        unsafe { dots_avx2(q, codes, out) };
        return;
    }
    dots_portable(q, codes, out);
}

#[derive(Debug, PartialEq)]
struct Scored(f32, Reverse<i64>);

impl Eq for Scored {}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl VectorIndex {
    pub fn new(dimension: usize) -> VectorIndex {
        VectorIndex {
            dimension,
            ids: Vec::new(),
            codes: Vec::new(),
            scales: Vec::new(),
            bits: Vec::new(),
            words: dimension.div_ceil(64),
            position: HashMap::new(),
            exact_up_to: EXACT_UP_TO,
            shortlist: (SHORTLIST_MIN, SHORTLIST_PER_RESULT),
        }
    }

    /// Shortlists exactly `items` items instead of the shipped sizes (for
    /// measuring, at a small library, what the shortlist loses at a large
    /// one: the same share of the library).
    pub fn with_shortlist(mut self, items: usize) -> VectorIndex {
        self.shortlist = (items.max(1), 0);
        self
    }

    /// Scans exactly up to `items` items instead of [`EXACT_UP_TO`] (0: always
    /// through the shortlist; for measuring what it loses).
    pub fn with_exact_up_to(mut self, items: usize) -> VectorIndex {
        self.exact_up_to = items;
        self
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds or replaces `id`'s vector; a vector of another dimension is
    /// ignored (and `false` returned).
    pub fn insert(&mut self, id: i64, vector: &[f32]) -> bool {
        if vector.len() != self.dimension {
            return false;
        }
        let at = match self.position.get(&id) {
            Some(&at) => at,
            None => {
                self.ids.push(id);
                self.codes.resize(self.codes.len() + self.dimension, 0);
                self.bits.resize(self.bits.len() + self.words, 0);
                self.scales.push(1.0);
                self.position.insert(id, self.ids.len() - 1);
                self.ids.len() - 1
            }
        };
        let d = self.dimension;
        self.scales[at] = quantize(vector, &mut self.codes[at * d..(at + 1) * d]);
        signs(vector, &mut self.bits[at * self.words..(at + 1) * self.words]);
        true
    }

    /// Removes `id`'s vector, if there is one (the last one takes its place).
    pub fn remove(&mut self, id: i64) {
        let Some(at) = self.position.remove(&id) else { return };
        let last = self.ids.len() - 1;
        let d = self.dimension;
        if at != last {
            self.ids.swap(at, last);
            self.scales.swap(at, last);
            self.codes.copy_within(last * d..(last + 1) * d, at * d);
            self.bits.copy_within(last * self.words..(last + 1) * self.words, at * self.words);
            self.position.insert(self.ids[at], at);
        }
        self.ids.pop();
        self.scales.pop();
        self.codes.truncate(last * d);
        self.bits.truncate(last * self.words);
    }

    /// The `k` items closest to `query` by cosine (both unit vectors), best
    /// first; ties go to the smaller id.
    pub fn top(&self, query: &[f32], k: usize) -> Vec<(i64, f32)> {
        if query.len() != self.dimension || k == 0 {
            return Vec::new();
        }
        let mut q = vec![0i8; self.dimension];
        let q_scale = quantize(query, &mut q);
        let (rows, raw) = if self.len() <= self.exact_up_to {
            let mut raw = Vec::with_capacity(self.ids.len());
            dots(&q, &self.codes, &mut raw);
            (None, raw)
        } else {
            let rows = self.shortlist(query, (k * self.shortlist.1).max(self.shortlist.0));
            let d = self.dimension;
            let mut gathered = Vec::with_capacity(rows.len() * d);
            rows.iter().for_each(|&r| gathered.extend_from_slice(&self.codes[r * d..(r + 1) * d]));
            let mut raw = Vec::with_capacity(rows.len());
            dots(&q, &gathered, &mut raw);
            (Some(rows), raw)
        };
        let mut heap: BinaryHeap<Reverse<Scored>> = BinaryHeap::with_capacity(k + 1);
        for (n, dot) in raw.into_iter().enumerate() {
            let i = rows.as_ref().map_or(n, |rows| rows[n]);
            let score = dot as f32 * q_scale * self.scales[i];
            if heap.len() < k {
                heap.push(Reverse(Scored(score, Reverse(self.ids[i]))));
            } else if heap.peek().is_some_and(|Reverse(worst)| score > worst.0) {
                heap.pop();
                heap.push(Reverse(Scored(score, Reverse(self.ids[i]))));
            }
        }
        let mut out: Vec<(i64, f32)> = heap.into_iter().map(|Reverse(Scored(s, Reverse(id)))| (id, s)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Rows of the about `size` items nearest to `query` by the Hamming
    /// distance of their sign bits (all ties at the cut included).
    fn shortlist(&self, query: &[f32], size: usize) -> Vec<usize> {
        let mut q = vec![0u64; self.words];
        signs(query, &mut q);
        let mut distance = Vec::with_capacity(self.len());
        hamming(&q, &self.bits, &mut distance);
        let mut histogram = vec![0usize; self.words * 64 + 1];
        distance.iter().for_each(|&h| histogram[usize::from(h)] += 1);
        let mut cut = 0;
        let mut taken = 0;
        for (h, n) in histogram.iter().enumerate() {
            taken += n;
            cut = h;
            if taken >= size {
                break;
            }
        }
        let cut = cut as u16;
        distance.iter().enumerate().filter(|(_, h)| **h <= cut).map(|(row, _)| row).collect()
    }

    /// The stored (dequantized) cosine of `query` with `id`, if present.
    pub fn cosine(&self, query: &[f32], id: i64) -> Option<f32> {
        let at = *self.position.get(&id)?;
        let d = self.dimension;
        let codes = &self.codes[at * d..(at + 1) * d];
        Some(codes.iter().zip(query).map(|(c, q)| f32::from(*c) * q).sum::<f32>() * self.scales[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64, d: usize) -> Vec<f32> {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut v: Vec<f32> = (0..d)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((x >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
        v.iter_mut().for_each(|a| *a /= n);
        v
    }

    fn exact(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn the_scan_finds_what_an_f32_scan_finds_with_close_cosines() {
        let d = 384;
        let items: Vec<Vec<f32>> = (0..500).map(|i| unit(i, d)).collect();
        let mut index = VectorIndex::new(d);
        for (i, v) in items.iter().enumerate() {
            assert!(index.insert(i as i64, v));
        }
        // A query near item 42.
        let mut query: Vec<f32> = items[42].iter().zip(unit(9999, d)).map(|(a, b)| a + 0.3 * b).collect();
        let n = query.iter().map(|a| a * a).sum::<f32>().sqrt();
        query.iter_mut().for_each(|a| *a /= n);
        let top = index.top(&query, 5);
        assert_eq!(top[0].0, 42);
        assert_eq!(top.len(), 5);
        for (id, cosine) in &top {
            let want = exact(&query, &items[*id as usize]);
            assert!((cosine - want).abs() < 0.01, "{cosine} vs {want}");
            assert!((index.cosine(&query, *id).unwrap_or(9.0) - want).abs() < 0.01);
        }
        assert!(top.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn the_shortlist_keeps_the_nearest_and_is_exact_on_what_it_scores() {
        let d = 384;
        let items: Vec<Vec<f32>> = (0..5000).map(|i| unit(i, d)).collect();
        let mut exact_index = VectorIndex::new(d);
        let mut short_index = VectorIndex::new(d).with_exact_up_to(0);
        for (i, v) in items.iter().enumerate() {
            exact_index.insert(i as i64, v);
            short_index.insert(i as i64, v);
        }
        // Queries near items (as a reworded claim is near its fact-check).
        for target in [7usize, 1234, 4999] {
            let mut query: Vec<f32> = items[target].iter().zip(unit(target as u64 + 77_777, d)).map(|(a, b)| a + 0.5 * b).collect();
            let n = query.iter().map(|a| a * a).sum::<f32>().sqrt();
            query.iter_mut().for_each(|a| *a /= n);
            let (exact, short) = (exact_index.top(&query, 5), short_index.top(&query, 5));
            assert_eq!(short[0], exact[0], "the nearest item survives the shortlist");
            assert_eq!(short[0].0, target as i64);
            // Shortlisted items are scored exactly as the full scan scores them.
            let all: HashMap<i64, f32> = exact_index.top(&query, items.len()).into_iter().collect();
            for (id, cosine) in &short {
                assert_eq!(all.get(id), Some(cosine));
            }
        }
        // Removing keeps sign bits in step with codes.
        short_index.remove(7);
        assert!(short_index.top(&items[7], 3).iter().all(|(id, _)| *id != 7));
        assert_eq!(short_index.top(&items[4999], 1)[0].0, 4999);
    }

    #[test]
    fn replace_remove_and_bad_input() {
        let d = 8;
        let mut index = VectorIndex::new(d);
        index.insert(1, &unit(1, d));
        index.insert(2, &unit(2, d));
        index.insert(3, &unit(3, d));
        index.insert(1, &unit(2, d)); // now equal to 2's
        assert_eq!(index.len(), 3);
        let top = index.top(&unit(2, d), 2);
        assert_eq!(top.iter().map(|t| t.0).collect::<Vec<_>>(), [1, 2]);
        index.remove(1);
        index.remove(1);
        assert_eq!(index.len(), 2);
        assert_eq!(index.top(&unit(3, d), 1)[0].0, 3);
        assert_eq!(index.top(&unit(2, d), 1)[0].0, 2);
        assert!(!index.insert(4, &[1.0, 0.0]));
        assert!(index.top(&[1.0], 3).is_empty());
        assert!(index.top(&unit(2, d), 0).is_empty());
        assert!(VectorIndex::new(d).top(&unit(2, d), 3).is_empty());
    }
}
