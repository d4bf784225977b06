//! Which URLs a feed (or a stored cart) may carry.
//!
//! Feed URLs end up in `<a href>` and `<img src>`. Allowed: `http:` and `https:`,
//! protocol-relative (`//cdn.shopify.com/…`, Shopify's usual image form) and relative URLs
//! (kept as written: the browser resolves them against the page, not the feed file). Images may
//! also be raster `data:image/{png,jpeg,gif,webp,avif}` URLs, inert in `<img>`. Every other
//! scheme (`javascript:`, `data:` elsewhere, `vbscript:`, `file:`, `blob:`, …) is refused, and
//! so is any ASCII control character: browsers delete tabs and newlines inside URLs, so
//! `java\tscript:` would otherwise slip past a scheme check.

/// Where a URL will be used.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlUse {
    Link,
    Image,
}

/// `Ok` with the URL trimmed of surrounding spaces, or `Err` with what to report.
pub(crate) fn check_url(raw: &str, usage: UrlUse) -> Result<&str, String> {
    let url = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("a URL containing control characters".to_owned());
    }
    let Some(scheme) = scheme(url) else {
        return Ok(url);
    };
    let ok = scheme.eq_ignore_ascii_case("http")
        || scheme.eq_ignore_ascii_case("https")
        || (usage == UrlUse::Image && is_raster_data_url(url));
    if ok {
        Ok(url)
    } else {
        let shown: String = scheme.chars().take(16).collect();
        Err(format!("the scheme \"{shown}:\""))
    }
}

/// The scheme of an absolute URL (`https` in `https://…`), or `None` for a relative one.
fn scheme(url: &str) -> Option<&str> {
    let end = url.find([':', '/', '?', '#', '\\'])?;
    let candidate = &url[..end];
    let mut bytes = candidate.bytes();
    let starts_alpha = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (url[end..].starts_with(':') && starts_alpha && rest_ok).then_some(candidate)
}

fn is_raster_data_url(url: &str) -> bool {
    let lower: String = url
        .chars()
        .take(24)
        .collect::<String>()
        .to_ascii_lowercase();
    ["png", "jpeg", "gif", "webp", "avif"].iter().any(|t| {
        lower
            .strip_prefix("data:image/")
            .and_then(|r| r.strip_prefix(t))
            .is_some_and(|r| r.starts_with([';', ',']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_web_and_relative_urls() {
        for ok in [
            "https://shop.example/p/tee",
            "HTTP://shop.example",
            "//cdn.shopify.com/s/files/tee.jpg?v=1",
            "/products/tee",
            "products/tee",
            "../img/tee.jpg",
            "?variant=1",
            "#top",
            "img/a:b.jpg",
            "1x:relative",
        ] {
            assert_eq!(check_url(ok, UrlUse::Link), Ok(ok), "{ok}");
        }
        assert_eq!(check_url("  /a  ", UrlUse::Link), Ok("/a"));
    }

    #[test]
    fn refuses_script_and_other_schemes() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "vbscript:x",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "blob:https://x/1",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "/ok\u{0}",
        ] {
            assert!(check_url(bad, UrlUse::Link).is_err(), "{bad:?}");
            assert!(check_url(bad, UrlUse::Image).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_url("javascript:alert(1)", UrlUse::Link),
            Err("the scheme \"javascript:\"".to_owned())
        );
    }

    #[test]
    fn raster_data_urls_only_for_images() {
        let png = "data:image/png;base64,iVBORw0KGgo=";
        assert_eq!(check_url(png, UrlUse::Image), Ok(png));
        assert!(check_url("DATA:IMAGE/JPEG;base64,/9j/", UrlUse::Image).is_ok());
        assert!(check_url(png, UrlUse::Link).is_err());
        assert!(check_url("data:image/svg+xml,<svg/>", UrlUse::Image).is_err());
        assert!(check_url("data:image/pngx,1", UrlUse::Image).is_err());
    }
}
