//! A session's output reduced to a fixed-size fingerprint, so the agent's
//! transcript and the tamper-proof copy can be compared without holding
//! either in memory: the multiset of its non-empty lines (trailing
//! whitespace and carriage returns dropped), as a count and a sum of
//! SHA-256-derived line hashes. Any line added, removed or changed shows;
//! lines only reordered do not.
//!
//! Not confirmed in AWS's documentation: that the agent writes the same
//! text to the S3 transcript and to the CloudWatch stream. Terminal
//! control sequences written to one and not the other would make a
//! session look overwritten; the report says which copy differs, and
//! `sessions show` prints both.

use rsa::sha2::{Digest, Sha256};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LineSet {
    pub count: u64,
    sum: u128,
}

impl LineSet {
    pub fn add_line(&mut self, line: &str) {
        let line = line.trim_end();
        if line.is_empty() {
            return;
        }
        let h = Sha256::digest(line.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&h[..16]);
        self.count += 1;
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(b));
    }

    pub fn add_text(&mut self, text: &str) {
        for l in text.split('\n') {
            self.add_line(l);
        }
    }

    pub fn merge(&mut self, other: &LineSet) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
    }

    pub fn of(text: &str) -> LineSet {
        let mut s = LineSet::default();
        s.add_text(text);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_lines_same_set() {
        assert_eq!(LineSet::of("a\r\nb  \n\n"), LineSet::of("a\nb"));
        let mut split = LineSet::of("a");
        split.merge(&LineSet::of("b"));
        assert_eq!(split, LineSet::of("a\nb"));
        assert_ne!(LineSet::of("a\nb"), LineSet::of("a\nc"));
        assert_ne!(LineSet::of("a\nb"), LineSet::of("a"));
    }
}
