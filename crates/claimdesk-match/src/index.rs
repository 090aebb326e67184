//! An exact in-memory scan over the library's vectors, stored as 8-bit
//! codes with one scale per vector (a quarter of f32's memory and bandwidth:
//! by arithmetic about 400 MB for a million vectors with scales and ids). The cosine it returns
//! is within about 0.01 of the f32 one (tested), far below what separates a
//! match from a miss. docs/PERFORMANCE.md says how far an exact scan goes
//! before an approximate index would be needed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Vectors by item id; all of one dimension.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dimension: usize,
    ids: Vec<i64>,
    codes: Vec<i8>,
    scales: Vec<f32>,
    position: HashMap<i64, usize>,
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
        VectorIndex { dimension, ids: Vec::new(), codes: Vec::new(), scales: Vec::new(), position: HashMap::new() }
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
                self.scales.push(1.0);
                self.position.insert(id, self.ids.len() - 1);
                self.ids.len() - 1
            }
        };
        let d = self.dimension;
        self.scales[at] = quantize(vector, &mut self.codes[at * d..(at + 1) * d]);
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
            self.position.insert(self.ids[at], at);
        }
        self.ids.pop();
        self.scales.pop();
        self.codes.truncate(last * d);
    }

    /// The `k` items closest to `query` by cosine (both unit vectors), best
    /// first; ties go to the smaller id.
    pub fn top(&self, query: &[f32], k: usize) -> Vec<(i64, f32)> {
        if query.len() != self.dimension || k == 0 {
            return Vec::new();
        }
        let mut q = vec![0i8; self.dimension];
        let q_scale = quantize(query, &mut q);
        let mut raw = Vec::with_capacity(self.ids.len());
        dots(&q, &self.codes, &mut raw);
        let mut heap: BinaryHeap<Reverse<Scored>> = BinaryHeap::with_capacity(k + 1);
        for (i, dot) in raw.into_iter().enumerate() {
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
