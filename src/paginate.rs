//! Stage 6a: pagination, with Zola's names. Cuts a list of pages into pagers of `paginate_by` (`/resources/`,
//! `/resources/page/2/`, …) and makes the `paginator` value templates see: `pages`, `current_index`,
//! `number_pagers`, `first`, `last`, `previous`, `next`, `total_pages`, `paginate_by`, `base_url`. Pure: it
//! renders nothing and knows nothing of sections or terms.

use std::ops::Range;

use serde::Serialize;
use tera::Value;

/// The part of a pager's address after its first page's: `/resources/page/2/`.
pub const PAGE_PATH: &str = "page";

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based.
    pub index: usize,
    /// URL path: the list's own path for the first, `…/page/N/` for the others.
    pub path: String,
    /// Which items of the list it shows.
    pub items: Range<usize>,
}

/// The pagers of a list of `count` items at `base_path` (`/resources/`), `per_page` a pager (at least 1). A list
/// with no items still has its first pager, so the section page exists.
pub fn pagers(base_path: &str, count: usize, per_page: usize) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let number = count.div_ceil(per_page).max(1);
    (1..=number)
        .map(|index| Pager {
            index,
            path: pager_path(base_path, index),
            items: (index - 1) * per_page..(index * per_page).min(count),
        })
        .collect()
}

/// The URL path of pager `index` (1-based) of the list at `base_path`.
pub fn pager_path(base_path: &str, index: usize) -> String {
    if index <= 1 {
        base_path.to_string()
    } else {
        format!("{base_path}{PAGE_PATH}/{index}/")
    }
}

#[derive(Serialize)]
struct Paginator<'a> {
    paginate_by: usize,
    base_url: String,
    number_pagers: usize,
    first: String,
    last: String,
    previous: Option<String>,
    next: Option<String>,
    current_index: usize,
    total_pages: usize,
    /// iopsite's own: the URL path of each pager, for numbered links (`paginator.pagers[0].path`).
    pagers: Vec<PagerLink<'a>>,
}

#[derive(Serialize)]
struct PagerLink<'a> {
    index: usize,
    path: &'a str,
    permalink: String,
}

/// The `paginator` of pager number `current` (1-based) of `pagers`; `items` are the values of the whole list.
pub fn paginator(
    pagers: &[Pager],
    current: usize,
    items: &[Value],
    per_page: usize,
    base_url: &str,
) -> Value {
    let url = |index: usize| [base_url, &pagers[index - 1].path].concat();
    let number = pagers.len();
    let mut value = Value::from_serializable(&Paginator {
        paginate_by: per_page,
        base_url: url(1),
        number_pagers: number,
        first: url(1),
        last: url(number),
        previous: (current > 1).then(|| url(current - 1)),
        next: (current < number).then(|| url(current + 1)),
        current_index: current,
        total_pages: items.len(),
        pagers: pagers
            .iter()
            .map(|pager| PagerLink {
                index: pager.index,
                path: &pager.path,
                permalink: url(pager.index),
            })
            .collect(),
    });
    let shown = pagers[current - 1].items.clone();
    if let Some(map) = value.as_map() {
        let mut map = map.clone();
        map.insert("pages".into(), Value::from(&items[shown]));
        value = Value::from(map);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_a_list_into_pagers_with_zola_addresses() {
        let pagers = pagers("/resources/", 25, 10);
        let paths: Vec<&str> = pagers.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/resources/", "/resources/page/2/", "/resources/page/3/"]
        );
        assert_eq!(pagers[2].items, 20..25);
        assert_eq!(
            super::pagers("/r/", 0, 10).len(),
            1,
            "an empty list still has its page"
        );
        assert_eq!(super::pagers("/r/", 10, 10).len(), 1);
        assert_eq!(
            super::pagers("/r/", 3, 0).len(),
            3,
            "a page size of 0 counts as 1"
        );
    }

    #[test]
    fn the_paginator_has_zola_fields() {
        let items: Vec<Value> = (0..25).map(Value::from).collect();
        let all = pagers("/r/", items.len(), 10);
        let value = paginator(&all, 2, &items, 10, "https://x.org");
        let get = |key: &'static str| value.as_map().unwrap().get(&key.into()).cloned().unwrap();
        assert_eq!(get("current_index"), Value::from(2));
        assert_eq!(get("number_pagers"), Value::from(3));
        assert_eq!(get("total_pages"), Value::from(25));
        assert_eq!(get("first"), Value::from("https://x.org/r/"));
        assert_eq!(get("previous"), Value::from("https://x.org/r/"));
        assert_eq!(get("next"), Value::from("https://x.org/r/page/3/"));
        assert_eq!(get("last"), Value::from("https://x.org/r/page/3/"));
        let pages = get("pages");
        let shown: Vec<String> = pages
            .as_array()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, (10..20).map(|n| n.to_string()).collect::<Vec<_>>());
        let first = paginator(&all, 1, &items, 10, "https://x.org");
        assert!(
            first
                .as_map()
                .unwrap()
                .get(&"previous".into())
                .unwrap()
                .is_none()
        );
    }
}
