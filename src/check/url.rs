//! What an address written in a built file points at: a file of the built site (maybe with an `#anchor`), another
//! host, or nothing to fetch (`mailto:`, `tel:`, `data:`). Pure string work, shared by the link and host rules.

use percent_encoding::percent_decode_str;

/// Where an address leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file of this site: its output path (`faq/index.html`, or `faq` when written without a slash) and anchor.
    Internal {
        /// Output path the address names (not yet checked to exist).
        path: String,
        /// The `#anchor`, decoded, if any.
        fragment: Option<String>,
    },
    /// Another host, over `http` or `https` (or `//host`).
    External {
        /// `http`, `https`, or empty for `//host`.
        scheme: String,
        /// Lowercase host name without port.
        host: String,
    },
    /// Nothing fetched from a host: `mailto:`, `tel:`, `sms:`, `data:`, an empty address.
    Other,
}

/// Resolve `url`, written in the built file `from` (`faq/index.html`). Addresses under `base_url` are this site.
pub(crate) fn resolve(from: &str, url: &str, base_url: &str) -> Target {
    let url = within_site(url.trim(), base_url);
    if url.is_empty() {
        return Target::Other;
    }
    if let Some(rest) = url.strip_prefix("//") {
        return Target::External {
            scheme: String::new(),
            host: host_of(rest),
        };
    }
    if let Some((scheme, rest)) = split_scheme(url) {
        return match scheme.to_ascii_lowercase().as_str() {
            s @ ("http" | "https") => Target::External {
                scheme: s.to_string(),
                host: host_of(rest.trim_start_matches('/')),
            },
            _ => Target::Other,
        };
    }
    internal(from, url)
}

/// `https://www.example.org/faq/` → `/faq/` when the site's address is `https://www.example.org`.
fn within_site<'u>(url: &'u str, base_url: &str) -> &'u str {
    match url.strip_prefix(base_url) {
        Some("") if !base_url.is_empty() => "/",
        Some(rest) if !base_url.is_empty() && rest.starts_with(['/', '?', '#']) => rest,
        _ => url,
    }
}

/// A path inside the site, relative to `from` or absolute.
fn internal(from: &str, url: &str) -> Target {
    let (url, fragment) = match url.split_once('#') {
        Some((url, fragment)) => (url, Some(decode(fragment))),
        None => (url, None),
    };
    let url = url.split_once('?').map_or(url, |(url, _)| url);
    let path = if url.is_empty() {
        from.to_string()
    } else if let Some(absolute) = url.strip_prefix('/') {
        file_of(&decode(absolute))
    } else {
        let folder = from.rsplit_once('/').map_or("", |(dir, _)| dir);
        file_of(&join(folder, &decode(url)))
    };
    Target::Internal { path, fragment }
}

/// `faq/` → `faq/index.html`; `/` → `index.html`; anything else unchanged.
fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

/// The host of `host[:port]/path`, lowercase, without user or port.
fn host_of(rest: &str) -> String {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.to_ascii_lowercase()
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Join a relative path to a folder, resolving `.` and `..` (never above the site).
fn join(folder: &str, link: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    let ends_in_folder = link.ends_with('/')
        || link.ends_with("/.")
        || link.ends_with("/..")
        || link == "."
        || link == "..";
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let mut joined = parts.join("/");
    if ends_in_folder && !joined.is_empty() {
        joined.push('/');
    }
    joined
}

/// Whether a built site has the file an internal path names (`faq` is served as `faq/index.html`).
pub(crate) fn exists(files: &std::collections::HashSet<String>, path: &str) -> Option<String> {
    if files.contains(path) {
        return Some(path.to_string());
    }
    let index = format!("{}/index.html", path.trim_end_matches('/'));
    files.contains(&index).then_some(index)
}

/// The candidate addresses of a `srcset` attribute.
pub(crate) fn srcset(value: &str) -> Vec<&str> {
    value
        .split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(path: &str, fragment: Option<&str>) -> Target {
        Target::Internal {
            path: path.into(),
            fragment: fragment.map(Into::into),
        }
    }

    #[test]
    fn resolves_internal_addresses() {
        let base = "https://www.example.org";
        let from = "what-to-expect/therapy/index.html";
        assert_eq!(
            resolve(from, "/faq/#cost", base),
            internal("faq/index.html", Some("cost"))
        );
        assert_eq!(resolve(from, "#top", base), internal(from, Some("top")));
        assert_eq!(
            resolve(from, "../life-skills/", base),
            internal("what-to-expect/life-skills/index.html", None)
        );
        assert_eq!(
            resolve(from, "img/a%20b.png?v=2", base),
            internal("what-to-expect/therapy/img/a b.png", None)
        );
        assert_eq!(
            resolve(from, "https://www.example.org/faq/", base),
            internal("faq/index.html", None)
        );
        assert_eq!(
            resolve(from, "https://www.example.org", base),
            internal("index.html", None)
        );
        assert_eq!(
            resolve("index.html", "/css/site.css", base),
            internal("css/site.css", None)
        );
    }

    #[test]
    fn resolves_other_hosts_and_non_fetching_schemes() {
        let external = |scheme: &str, host: &str| Target::External {
            scheme: scheme.into(),
            host: host.into(),
        };
        let base = "https://www.example.org";
        assert_eq!(
            resolve("index.html", "https://Fonts.Example.com:443/x", base),
            external("https", "fonts.example.com")
        );
        assert_eq!(
            resolve("index.html", "//cdn.example.net/a.js", base),
            external("", "cdn.example.net")
        );
        assert_eq!(
            resolve("index.html", "http://www.example.org.evil.com/", base),
            external("http", "www.example.org.evil.com")
        );
        for other in [
            "mailto:a@b.org",
            "tel:+15550100",
            "data:image/png;base64,AA",
            "",
        ] {
            assert_eq!(resolve("index.html", other, base), Target::Other, "{other}");
        }
    }

    #[test]
    fn finds_files_with_or_without_the_slash() {
        let files = ["faq/index.html", "css/site.css"]
            .map(String::from)
            .into_iter()
            .collect();
        assert_eq!(exists(&files, "faq").as_deref(), Some("faq/index.html"));
        assert_eq!(
            exists(&files, "css/site.css").as_deref(),
            Some("css/site.css")
        );
        assert_eq!(exists(&files, "nope/index.html"), None);
    }
}
