//! `--exclude GLOB`: which paths of a folder walk to leave out. `*` and `?` stay within one
//! name, `**` crosses folders (`**/` also matches no folder at all). As in `.gitignore`, a
//! pattern without `/` matches a file or folder name at any depth.

pub struct Excludes {
    patterns: Vec<Vec<char>>,
}

impl Excludes {
    pub fn new(patterns: &[String]) -> Excludes {
        let patterns = patterns
            .iter()
            .map(|p| p.trim_start_matches("./").chars().collect())
            .collect();
        Excludes { patterns }
    }

    /// Whether the entry at `relative` (below the folder given to `-f`, `/`-separated) or at
    /// `shown` (the path as messages show it) is excluded.
    pub fn excludes(&self, relative: &str, shown: &str) -> bool {
        let relative: Vec<char> = relative.chars().collect();
        let shown: Vec<char> = shown.trim_start_matches("./").chars().collect();
        self.patterns.iter().any(|p| {
            if p.contains(&'/') {
                glob(p, &relative) || glob(p, &shown)
            } else {
                relative.split(|c| *c == '/').any(|name| glob(p, name))
            }
        })
    }
}

fn glob(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) if rest.first() == Some(&'*') => {
            let rest = rest.get(1..).unwrap_or_default();
            let (rest, whole_folders) = match rest.split_first() {
                Some(('/', after)) => (after, true),
                _ => (rest, false),
            };
            (0..=s.len()).any(|i| {
                let eaten = s.get(..i).unwrap_or_default();
                let ok = !whole_folders || eaten.is_empty() || eaten.last() == Some(&'/');
                ok && glob(rest, s.get(i..).unwrap_or_default())
            })
        }
        Some(('*', rest)) => {
            let name_len = s.iter().position(|c| *c == '/').unwrap_or(s.len());
            (0..=name_len).any(|i| glob(rest, s.get(i..).unwrap_or_default()))
        }
        Some(('?', rest)) => s
            .split_first()
            .is_some_and(|(c, tail)| *c != '/' && glob(rest, tail)),
        Some((c, rest)) => s
            .split_first()
            .is_some_and(|(d, tail)| c == d && glob(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(p: &str, path: &str) -> bool {
        Excludes::new(&[p.to_string()]).excludes(path, path)
    }

    #[test]
    fn stars_stay_in_a_name_double_stars_cross_folders() {
        assert!(ex(
            "charts/*/templates/*.yaml",
            "charts/web/templates/a.yaml"
        ));
        assert!(!ex("charts/*.yaml", "charts/web/a.yaml"));
        assert!(ex("charts/**", "charts/web/templates/a.yaml"));
        assert!(ex("**/secret-?.yaml", "a/b/secret-1.yaml"));
        assert!(
            ex("**/secret-?.yaml", "secret-2.yaml"),
            "**/ matches no folder too"
        );
        assert!(!ex("**/secret-?.yaml", "a/secret-10.yaml"));
        assert!(ex("a/**/z.yaml", "a/z.yaml"));
        assert!(ex("a/**/z.yaml", "a/b/c/z.yaml"));
        assert!(!ex("a/**/z.yaml", "b/a/z.yaml"));
    }

    #[test]
    fn patterns_without_a_slash_match_names_at_any_depth() {
        assert!(ex("*.json", "deep/in/x.json"));
        assert!(ex("tests", "app/tests/case.yaml"));
        assert!(!ex("tests", "app/tests.yaml"));
        assert!(ex("./x.yaml", "x.yaml"));
    }

    #[test]
    fn the_shown_path_counts_too() {
        let e = Excludes::new(&["examples/broken/*.yaml".to_string()]);
        assert!(e.excludes("a.yaml", "examples/broken/a.yaml"));
        assert!(!e.excludes("a.yaml", "examples/fixed/a.yaml"));
    }
}
