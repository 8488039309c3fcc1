//! Issue 9, portal items: links in published Markdown, second-officer review of apps and
//! content, and messages that do not reveal who has an account.

use super::*;

/// Known ways of getting a script or a document into a link or an image of published content.
const XSS_LINKS: &[&str] = &[
    "[a](javascript:alert(1))",
    "[b](JaVaScRiPt:alert(1))",
    "[c](<java\tscript:alert(1)>)",
    "[d](java&#09;script:alert(1))",
    "[e](&#106;avascript:alert(1))",
    "[f](&#x6A;avascript&#x3A;alert(1))",
    "[g](javascript&colon;alert(1))",
    "[h](&#x01;javascript:alert(1))",
    "[i](vbscript:msgbox(1))",
    "[j](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[k](DATA:text/html,<script>alert(1)</script>)",
    "[l][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![m](javascript:alert(1))",
    "![n](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<a href=\"javascript:alert(1)\">o</a>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
];

/// Every `href` and `src` of the markup in `html`: each must be https, mailto, tel or relative.
fn assert_links_safe(html: &str, context: &str) {
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x") && !html.contains("<svg"), "{context}: {html}");
    // Text is escaped (`<` as `&lt;`): attributes are looked for inside tags only.
    for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
        for attr in [" href=\"", " src=\""] {
            for value in tag.split(attr).skip(1) {
                let value = value.split('"').next().unwrap().replace("&amp;", "&");
                let lower: String = value.to_ascii_lowercase().chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                let scheme = lower.find([':', '/', '?', '#']).filter(|at| lower[*at..].starts_with(':')).map(|at| &lower[..at]);
                assert!(scheme.is_none_or(|s| ["http", "https", "mailto", "tel"].contains(&s)), "{context}: <{tag}> in {html}");
            }
        }
    }
}

store_test!(markdown_links_with_scripts_are_refused_on_pages_and_in_feeds, |db| async move {
    let app = setup(db).await;
    let dh = tamar_tenancy::by_code(&app.db, "DH").await?.id;
    let body = format!("Read [the guide](https://www.dh.gov.hk/guide) or write to [us](mailto:enquiry@dh.gov.hk).\n\n{}", XSS_LINKS.join("\n\n"));
    let new = tamar_portal::NewItem {
        kind: tamar_portal::ItemKind::News,
        slug: "clinic-links".into(),
        content: tamar_portal::ContentInput {
            title: tamar_portal::TextInput::new("Clinic links", "診所連結"),
            summary: tamar_portal::TextInput::new("Links to clinics.", "診所的連結。"),
            body: tamar_portal::TextInput::new(body.clone(), body),
            topics: vec!["health".into()],
            audiences: vec!["residents".into()],
            ..Default::default()
        },
    };
    tamar_portal::content::import_published(&app.db, &app.ledger, dh, new, chrono::Utc::now()).await?;

    let page = app.get("/en/news/clinic-links", &Browser::default()).await;
    assert_eq!(page.status, StatusCode::OK);
    let article = &page.body[page.body.find("Read <a").expect("the body")..];
    assert!(article.contains("<a href=\"https://www.dh.gov.hk/guide\">the guide</a>"), "safe links stay links");
    assert!(article.contains("<a href=\"mailto:enquiry@dh.gov.hk\">us</a>"));
    assert!(article.contains("<p>a</p>") && article.contains("<p>e</p>"), "a refused link is its text");
    assert_links_safe(&page.body, "the news page");

    for feed in ["/en/feeds/news.atom", "/tc/feeds/topics/health.atom", "/en/feeds/departments/DH.atom"] {
        let reply = app.get(feed, &Browser::default()).await;
        assert_eq!(reply.status, StatusCode::OK, "{feed}");
        let parsed = atom_syndication::Feed::read_from(reply.body.as_bytes())?;
        let entry = parsed.entries().iter().find(|e| e.title().as_str() == "Clinic links" || e.title().as_str() == "診所連結").expect("the entry");
        let html = entry.content().and_then(|c| c.value()).expect("HTML content");
        assert!(html.contains("https://www.dh.gov.hk/guide"), "{feed}: {html}");
        assert_links_safe(html, feed);
    }
    Ok(()) as R
});
