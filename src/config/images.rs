//! `[images]`: what the build makes of the photos it publishes. Every raster image is published without its
//! metadata; images shown from markdown also get smaller copies in WebP at these widths, so a phone downloads what
//! its screen can show.

use serde::{Deserialize, Serialize};

use super::key_line;
use crate::error::{Error, Location, Result};

/// `[images]` as written in `config.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImagesConfig {
    /// The widths, in pixels, of the copies made of each image shown from markdown (never wider than the image).
    pub widths: Vec<u32>,
    /// WebP quality, 1 (smallest) to 100 (best).
    pub quality: u8,
    /// The widest the theme ever shows an image, in CSS pixels: an image's `width`/`height` attributes are its
    /// size at this width (or its own, if smaller), and the default `sizes` says so to the browser.
    pub display_width: u32,
    /// The `sizes` attribute of markdown images; empty: `(max-width: {display_width}px) 100vw, {display_width}px`.
    pub sizes: String,
    /// Images larger than this many megapixels are refused (a decompression bomb would take the memory of the
    /// machine); 100 MP is a large camera's photo.
    pub max_megapixels: u32,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            // 480: a small phone; 800: a phone at 2x; 1200: a phone at 3x and the column at 1x; 1920: the column
            // on a high-density laptop screen.
            widths: vec![480, 800, 1200, 1920],
            quality: 75,
            display_width: 1200,
            sizes: String::new(),
            max_megapixels: 100,
        }
    }
}

/// The widest copy iopsite makes (8K): wider ones are never shown by any screen.
pub const WIDTH_MAX: u32 = 7680;

impl ImagesConfig {
    /// The `sizes` attribute written on markdown images.
    pub fn sizes(&self) -> String {
        if self.sizes.trim().is_empty() {
            let width = self.display_width;
            format!("(max-width: {width}px) 100vw, {width}px")
        } else {
            self.sizes.trim().to_string()
        }
    }

    pub(super) fn check(&self, text: &str, shown: &std::path::Path) -> Result<()> {
        let fail = |key: &str, message: String| Error::Config {
            at: Location::line(shown, key_line(text, "images", key)),
            message,
        };
        if self.widths.is_empty() || self.widths.len() > 8 {
            return Err(fail(
                "widths",
                "widths must list 1 to 8 widths in pixels, for example widths = [480, 800, 1200, 1920]".into(),
            ));
        }
        if let Some(width) = self
            .widths
            .iter()
            .find(|&&w| !(16..=WIDTH_MAX).contains(&w))
        {
            return Err(fail(
                "widths",
                format!(
                    "the width {width} is out of range: each width must be between 16 and {WIDTH_MAX} pixels"
                ),
            ));
        }
        if !(1..=100).contains(&self.quality) {
            return Err(fail(
                "quality",
                "quality must be between 1 and 100 (75 is a good balance of size and sharpness)"
                    .into(),
            ));
        }
        if !(16..=WIDTH_MAX).contains(&self.display_width) {
            return Err(fail(
                "display_width",
                format!(
                    "display_width must be between 16 and {WIDTH_MAX}: the widest your theme shows an image, in pixels"
                ),
            ));
        }
        if self.sizes.contains(['"', '<', '>']) {
            return Err(fail(
                "sizes",
                "sizes must be a plain media list such as \"(max-width: 800px) 100vw, 800px\" (no quotes or < >)".into(),
            ));
        }
        if !(1..=400).contains(&self.max_megapixels) {
            return Err(fail(
                "max_megapixels",
                "max_megapixels must be between 1 and 400".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    fn error(text: &str) -> String {
        Config::parse(text, Path::new("config.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_suit_a_1200_pixel_column() {
        let config = Config::parse("", Path::new("config.toml")).unwrap();
        assert_eq!(config.images.widths, [480, 800, 1200, 1920]);
        assert_eq!(config.images.sizes(), "(max-width: 1200px) 100vw, 1200px");
        let config =
            Config::parse("[images]\ndisplay_width = 640\n", Path::new("config.toml")).unwrap();
        assert_eq!(config.images.sizes(), "(max-width: 640px) 100vw, 640px");
    }

    #[test]
    fn settings_out_of_range_name_their_line() {
        let cases = [
            (
                "[images]\nwidths = []\n",
                "config.toml:2: widths must list 1 to 8",
            ),
            (
                "[images]\n\nwidths = [480, 90000]\n",
                "config.toml:3: the width 90000 is out of range",
            ),
            (
                "[images]\nwidths = [8]\n",
                "config.toml:2: the width 8 is out of range",
            ),
            (
                "[images]\nwidths = [1,2,3,4,5,6,7,8,9]\n",
                "config.toml:2: widths must list 1 to 8",
            ),
            (
                "[images]\nquality = 0\n",
                "config.toml:2: quality must be between 1 and 100",
            ),
            (
                "[images]\nquality = 101\n",
                "config.toml:2: quality must be between 1 and 100",
            ),
            (
                "[images]\ndisplay_width = 0\n",
                "config.toml:2: display_width must be between",
            ),
            (
                "[images]\nsizes = '100vw\" onload=\"x'\n",
                "config.toml:2: sizes must be a plain media list",
            ),
            (
                "[images]\nmax_megapixels = 1000\n",
                "config.toml:2: max_megapixels must be between 1 and 400",
            ),
            ("[images]\nquality = -3\n", "config.toml:2: invalid value"),
            (
                "[images]\nwidth = 3\n",
                "config.toml:2: unknown field `width`",
            ),
        ];
        for (text, expected) in cases {
            let err = error(text);
            assert!(err.starts_with(expected), "{text:?} gave {err}");
        }
    }
}
