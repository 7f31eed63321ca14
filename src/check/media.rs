//! Image rules. `image-size`: an original far larger than any page needs (over 8 MB, or over 6,000 pixels on its
//! long edge) slows every cold build and is published at its own address. `image-metadata`: a built image that
//! still carries metadata (EXIF with the GPS position, XMP, comments), whatever put it there. `svg-content`: an SVG
//! with scripts, event handlers or references to other hosts: SVG files are published as they are, and a browser
//! opening one runs what it holds.

use std::path::Path;

use super::css;
use super::html::{Document, Node};
use super::input::Input;
use super::rules::{Found, Rule};
use crate::content::relative_path;
use crate::error::Location;

/// Above this many bytes an original is reported.
const LARGE_BYTES: u64 = 8 * 1024 * 1024;
/// Above this many pixels on its long edge an original is reported.
const LARGE_EDGE: u32 = 6000;

pub(crate) fn check(input: &Input) -> Vec<Found> {
    let mut found = large_originals(input);
    for file in &input.files {
        let path = input.out.join(file);
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".svg") {
            found.extend(svg(input, file, &path));
        } else if ![".html", ".css", ".js", ".xml", ".txt", ".json"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            // Judged by its bytes, not its name: a photo saved as `photo.jpg_large` is published as it is.
            found.extend(metadata(file, &path));
        }
    }
    found
}

fn large_originals(input: &Input) -> Vec<Found> {
    let mut found = Vec::new();
    for (_, image) in input.site.library.images() {
        let bytes = image.len;
        let (width, height) = (image.header.width, image.header.height);
        if bytes > LARGE_BYTES || width.max(height) > LARGE_EDGE {
            found.push(Found::new(
                Rule::ImageSize,
                Location::file(&image.shown),
                format!(
                    "this image is {width} × {height} pixels and {}.{} MB, more than a web page needs: save it at \
                     most 4000 pixels wide (JPEG quality 85 is plenty); pages show smaller copies anyway, but the \
                     original slows every first build and is published at its own address",
                    bytes / 1_048_576,
                    bytes % 1_048_576 * 10 / 1_048_576
                ),
            ));
        }
    }
    found
}

fn metadata(file: &str, path: &Path) -> Option<Found> {
    let bytes = std::fs::read(path).ok()?;
    let kind = crate::images::metadata_in(&bytes)?;
    Some(Found::new(
        Rule::ImageMetadata,
        Location::file(Path::new("public").join(file)),
        format!(
            "this published image still holds {kind}, which can tell where and with what it was taken: \
             save it again without metadata (it was not made by iopsite's build, which removes it)"
        ),
    ))
}

/// Scripts, event handlers and other hosts' addresses in a published SVG, at the line of its source file.
fn svg(input: &Input, file: &str, path: &Path) -> Vec<Found> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let shown = input.site.library.source_of(file).map_or_else(
        || Path::new("public").join(file),
        |source| relative_path(&input.root, source).into(),
    );
    let at = |line: usize| Location::line(&shown, line);
    let mut found = Vec::new();
    let mut report = |line: usize, message: String| {
        found.push(Found::new(Rule::SvgContent, at(line), message));
    };
    let doc = Document::parse(&text);
    let mut in_style = false;
    for node in &doc.nodes {
        match node {
            Node::Start(element) => {
                in_style = element.name == "style";
                if element.name == "script" {
                    report(
                        element.line,
                        "this SVG holds a <script>: remove it (a picture never needs code)".into(),
                    );
                }
                if element.name == "foreignobject" {
                    report(element.line, "this SVG holds a <foreignObject>, which can carry a web page of its own: remove it".into());
                }
                for (name, value) in &element.attrs {
                    if name.starts_with("on") {
                        report(
                            element.line,
                            format!(
                                "this SVG has an event handler `{name}`, which runs code: remove it"
                            ),
                        );
                    } else if matches!(name.as_str(), "href" | "xlink:href" | "src") {
                        if let Some(problem) = reference(value) {
                            report(element.line, problem);
                        }
                    } else if name == "style" {
                        for url in css::urls(value) {
                            if let Some(problem) = reference(&url.url) {
                                report(element.line, problem);
                            }
                        }
                    }
                }
            }
            Node::End(_) => in_style = false,
            Node::Text(style, line) if in_style => {
                for url in css::urls(style) {
                    if let Some(problem) = reference(&url.url) {
                        report(line + url.line - 1, problem);
                    }
                }
            }
            Node::Text(..) => {}
        }
    }
    found
}

/// What is wrong with an address inside an SVG, if anything: another host, or code.
fn reference(value: &str) -> Option<String> {
    let lower = value.trim().to_ascii_lowercase();
    if lower.starts_with("javascript:") {
        return Some("this SVG has a javascript: link, which runs code: remove it".into());
    }
    let external =
        lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//");
    external.then(|| {
        format!(
            "this SVG loads `{}` from another host, which tells that host who is reading the page: copy the file into \
             the site, or remove the reference",
            value.trim()
        )
    })
}
