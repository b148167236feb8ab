//! Edit distance for "did you mean" suggestions (typo'd kinds, groups and field names).

/// The largest edit distance still read as a typo.
pub const NEAR: usize = 2;

/// Edit distance (insertions, deletions, substitutions, adjacent transpositions), ignoring
/// ASCII case; anything above `NEAR` is reported as `NEAR + 1` (so a long input costs
/// nothing).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    if a.len().abs_diff(b.len()) > NEAR {
        return NEAR + 1;
    }
    // Optimal string alignment over three rows.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()].min(NEAR + 1)
}

/// The candidate closest to `word` within a typo (one edit for words of 3 or 4 letters,
/// two for longer ones; none for shorter words, where one edit makes any other word), the
/// first of equals; `None` when nothing is that close.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match word.chars().count() {
        0..=2 => return None,
        3 | 4 => 1,
        _ => NEAR,
    };
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_field() {
        let fields = ["image", "port", "storage", "size", "ingress", "pod", "env"];
        assert_eq!(closest("sise", fields), Some("size"));
        assert_eq!(closest("storgae", fields), Some("storage"));
        assert_eq!(closest("Image", fields), Some("image"));
        assert_eq!(closest("ingres", fields), Some("ingress"));
        assert_eq!(closest("typo", fields), None);
        assert_eq!(closest("envs", fields), Some("env"));
        assert_eq!(closest("xyz", fields), None);
        assert_eq!(closest("c", ["a", "b"]), None);
    }
}
