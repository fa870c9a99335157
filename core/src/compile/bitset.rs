//! A dense set of small integers (identity classes). Selectors compile to these once,
//! and every verdict, matrix row and diagnostic is set algebra over them: dense words
//! because class counts stay in the tens of thousands while selectors are many.

/// A set of indices below `len`, one bit each.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl std::fmt::Debug for Bitset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.ones()).finish()
    }
}

fn words_for(len: usize) -> usize {
    len.div_ceil(64)
}

impl Bitset {
    pub fn empty(len: usize) -> Bitset {
        Bitset {
            words: vec![0; words_for(len)],
            len,
        }
    }

    pub fn full(len: usize) -> Bitset {
        let mut b = Bitset {
            words: vec![u64::MAX; words_for(len)],
            len,
        };
        b.trim();
        b
    }

    /// Clears the bits past `len` in the last word, so that equality and counts hold.
    fn trim(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if extra > 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= u64::MAX >> extra;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn insert(&mut self, i: usize) {
        if i < self.len {
            if let Some(w) = self.words.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }

    pub fn remove(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Sets every index of `start..end`.
    pub fn insert_range(&mut self, start: usize, end: usize) {
        let end = end.min(self.len);
        let mut i = start;
        while i < end {
            if i % 64 == 0 && i + 64 <= end {
                if let Some(w) = self.words.get_mut(i / 64) {
                    *w = u64::MAX;
                }
                i += 64;
            } else {
                self.insert(i);
                i += 1;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn is_full(&self) -> bool {
        self.count() == self.len
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn union_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn intersect_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn difference_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// Keeps the indices in exactly one of the two sets.
    pub fn symmetric_difference_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a ^= b;
        }
    }

    pub fn toggle(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w ^= 1 << (i % 64);
        }
    }

    pub fn complement(&self) -> Bitset {
        let mut b = Bitset {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        b.trim();
        b
    }

    pub fn intersects(&self, other: &Bitset) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    pub fn is_subset(&self, other: &Bitset) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    pub fn first(&self) -> Option<usize> {
        self.ones().next()
    }

    /// The indices in the set, ascending.
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, w)| {
            let mut w = *w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + bit)
            })
        })
    }

    /// Runs of consecutive indices, as `start..end` (half-open), ascending.
    pub fn runs(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in self.ones() {
            match out.last_mut() {
                Some((_, end)) if *end == i => *end = i + 1,
                _ => out.push((i, i + 1)),
            }
        }
        out
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub fn from_words(words: Vec<u64>, len: usize) -> Bitset {
        let mut b = Bitset { words, len };
        b.words.resize(words_for(len), 0);
        b.trim();
        b
    }
}

/// A square-ish matrix of bits: `rows` sets over `cols` indices.
#[derive(Clone, Debug)]
pub struct BitMatrix {
    pub rows: Vec<Bitset>,
    pub cols: usize,
}

impl BitMatrix {
    /// The transpose, in 64×64 blocks (a row-by-row transpose would touch every set bit).
    pub fn transpose(&self) -> BitMatrix {
        let rows: Vec<&Bitset> = self.rows.iter().collect();
        BitMatrix::transpose_of(&rows, self.cols)
    }

    /// The transpose of rows held elsewhere (shared sets need no copy).
    pub fn transpose_of<R: std::ops::Deref<Target = Bitset>>(rows: &[R], cols: usize) -> BitMatrix {
        let nrows = rows.len();
        let mut out: Vec<Bitset> = (0..cols).map(|_| Bitset::empty(nrows)).collect();
        let row_words = words_for(cols);
        for rb in (0..nrows).step_by(64) {
            for cw in 0..row_words {
                let mut block = [0u64; 64];
                let mut any = false;
                for (r, slot) in block.iter_mut().enumerate() {
                    if let Some(w) = rows.get(rb + r).and_then(|row| row.words.get(cw)) {
                        *slot = *w;
                        any |= *w != 0;
                    }
                }
                if !any {
                    continue;
                }
                transpose64(&mut block);
                // block[c] now holds, for column cw*64+c, the bits of rows rb..rb+64.
                for (c, bits) in block.iter().enumerate() {
                    if *bits == 0 {
                        continue;
                    }
                    if let Some(col) = out.get_mut(cw * 64 + c) {
                        if let Some(w) = col.words.get_mut(rb / 64) {
                            *w |= bits;
                        }
                    }
                }
            }
        }
        for col in &mut out {
            col.trim();
        }
        BitMatrix {
            rows: out,
            cols: nrows,
        }
    }
}

/// Transposes a 64×64 bit block in place: bit c of word r moves to bit r of word c
/// (recursive block swaps, Hacker's Delight 7-3).
#[allow(clippy::indexing_slicing)] // k + j < 64 throughout: k steps over the lower half of each 2j-block
fn transpose64(a: &mut [u64; 64]) {
    let mut j = 32usize;
    let mut m: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        let mut k = 0usize;
        while k < 64 {
            let (x, y) = (a[k], a[k + j]);
            let t = ((x >> j) ^ y) & m;
            a[k] = x ^ (t << j);
            a[k + j] = y ^ t;
            k = (k + j + 1) & !j;
        }
        j >>= 1;
        m ^= m << j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra() {
        let mut a = Bitset::empty(130);
        a.insert(0);
        a.insert(64);
        a.insert(129);
        assert_eq!(a.ones().collect::<Vec<_>>(), vec![0, 64, 129]);
        let full = Bitset::full(130);
        assert_eq!(full.count(), 130);
        assert_eq!(a.complement().count(), 127);
        let mut r = Bitset::empty(130);
        r.insert_range(3, 100);
        assert_eq!(r.count(), 97);
        assert_eq!(r.runs(), vec![(3, 100)]);
        assert!(!r.contains(100) && r.contains(99) && !r.contains(2));
    }

    #[test]
    fn transpose_matches_definition() {
        let (n, m) = (150usize, 97usize);
        let rows: Vec<Bitset> = (0..n)
            .map(|r| {
                let mut b = Bitset::empty(m);
                for c in 0..m {
                    if (r * 7 + c * 13) % 5 == 0 {
                        b.insert(c);
                    }
                }
                b
            })
            .collect();
        let t = BitMatrix {
            rows: rows.clone(),
            cols: m,
        }
        .transpose();
        assert_eq!(t.rows.len(), m);
        for (r, row) in rows.iter().enumerate() {
            for c in 0..m {
                assert_eq!(
                    row.contains(c),
                    t.rows.get(c).is_some_and(|col| col.contains(r)),
                    "({r},{c})"
                );
            }
        }
    }
}

/// A multiply-rotate hash over whole words: interning hashes every row of the matrix (a
/// few kilobytes each at 150,000 pods), where SipHash cost seconds. The keys are the
/// engine's own sets, not input an attacker picks.
#[derive(Default)]
pub struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
        for b in chunks.remainder() {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, w: usize) {
        self.write_u64(w as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Maps keyed by the engine's own indices and sets, hashed by [`WordHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;

/// Sets as keys (interning): hashed by [`WordHasher`].
pub type BitsetMap<V> =
    std::collections::HashMap<Bitset, V, std::hash::BuildHasherDefault<WordHasher>>;
