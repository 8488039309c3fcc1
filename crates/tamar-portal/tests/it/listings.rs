//! Listings and counts follow what is live as it changes: publishing, a new version with other
//! topics, withdrawing. They are read a page at a time, and the tables they read are what the
//! migration fills from the catalogue as it stood.

use super::*;
use tamar_portal::content::LiveItem;
use tamar_portal::facets::{self, Facet};

fn item(slug: &str, kind: ItemKind, topics: &[&str], audiences: &[&str]) -> NewItem {
    let mut new = vehicle_licence();
    new.slug = slug.into();
    new.kind = kind;
    if kind != ItemKind::Service {
        new.content.service = None;
        new.content.body = t("Details.", "詳情。");
    }
    new.content.topics = topics.iter().map(|s| (*s).to_owned()).collect();
    new.content.audiences = audiences.iter().map(|s| (*s).to_owned()).collect();
    new
}

/// Every page of a listing, following the cursors: the slugs in order.
async fn walk(db: &Db, filter: &LiveFilter, limit: u32) -> Result<Vec<String>, PortalError> {
    let mut out = Vec::new();
    let mut request = PageRequest::first(limit);
    loop {
        let page = content::live_page(db, filter, &request).await?;
        assert!(page.items.len() <= limit as usize);
        out.extend(page.items.iter().map(|l: &LiveItem| l.item.slug.clone()));
        match page.next {
            Some(next) => request.after = Some(next),
            None => return Ok(out),
        }
    }
}

fn topic(t: &str) -> LiveFilter {
    LiveFilter { topic: Some(t.into()), ..Default::default() }
}

/// An item to publish: its address, kind, topics, audiences, and how many days ago.
type Spec = (&'static str, ItemKind, &'static [&'static str], &'static [&'static str], i64);

store_test!(listings_and_counts_follow_what_is_live, |db| async move {
    let w = setup(&db).await;
    let now = w.ledger.now();
    // Seven items, a day apart, newest last; two on the same day to test the tie on address.
    let specs: [Spec; 7] = [
        ("road-tax", ItemKind::Service, &["transport", "tax"], &["residents"], 7),
        ("ferry-times", ItemKind::Guide, &["transport"], &["residents", "non-residents"], 6),
        ("bus-fares-2027", ItemKind::News, &["transport"], &["residents"], 5),
        ("salaries-tax-return", ItemKind::Service, &["tax"], &["residents", "business"], 4),
        ("tunnel-closure", ItemKind::Notice, &["transport"], &["residents"], 3),
        ("tax-deadline", ItemKind::News, &["tax"], &["business"], 2),
        ("airport-express", ItemKind::Notice, &["transport"], &["non-residents"], 2),
    ];
    let mut ids = HashMap::new();
    for (slug, kind, topics, audiences, days) in specs {
        let it = content::import_published(&db, &w.ledger, w.td, item(slug, kind, topics, audiences), now - Duration::days(days)).await?;
        ids.insert(slug, it.id);
    }
    let counts = facets::counts(&db, Facet::Topic).await?;
    assert_eq!((counts.get("transport"), counts.get("tax")), (Some(&5), Some(&3)));
    assert_eq!(facets::count(&db, Facet::Audience, "residents").await?, 5);
    assert_eq!(facets::count(&db, Facet::Department, &w.td.to_string()).await?, 7);
    assert_eq!(facets::count(&db, Facet::Kind, "news").await?, 2);

    // Newest first, ties by address, the same whatever the page size.
    let transport = ["airport-express", "tunnel-closure", "bus-fares-2027", "ferry-times", "road-tax"];
    for limit in [1, 2, 3, 200] {
        assert_eq!(walk(&db, &topic("transport"), limit).await?, transport, "pages of {limit}");
    }
    assert_eq!(walk(&db, &LiveFilter::default(), 2).await?.len(), 7);
    // Several kinds are merged in order; a topic and an audience together; a kind within a topic.
    let news_and_notices = LiveFilter { kinds: vec![ItemKind::News, ItemKind::Notice], ..Default::default() };
    assert_eq!(walk(&db, &news_and_notices, 2).await?, ["airport-express", "tax-deadline", "tunnel-closure", "bus-fares-2027"]);
    let both = LiveFilter { topic: Some("transport".into()), audience: Some("non-residents".into()), ..Default::default() };
    assert_eq!(walk(&db, &both, 1).await?, ["airport-express", "ferry-times"]);
    let services = LiveFilter { kinds: vec![ItemKind::Service], topic: Some("tax".into()), ..Default::default() };
    assert_eq!(walk(&db, &services, 1).await?, ["salaries-tax-return", "road-tax"]);
    let other_department = LiveFilter { department: Some(DepartmentId::new()), ..Default::default() };
    assert!(walk(&db, &other_department, 5).await?.is_empty());

    // A new version that moves road-tax from transport to tax only.
    let road_tax = ids["road-tax"];
    let mut input = item("road-tax", ItemKind::Service, &["tax"], &["residents"]).content;
    input.summary = t("Pay road tax.", "繳付道路稅。");
    content::save_draft(&db, &w.ledger, &w.editor, road_tax, input).await?;
    content::submit(&db, &w.ledger, &w.editor, road_tax).await?;
    content::approve(&db, &w.ledger, &w.reviewer, road_tax, None).await?;
    assert_eq!(facets::count(&db, Facet::Topic, "transport").await?, 4);
    assert_eq!(facets::count(&db, Facet::Topic, "tax").await?, 3);
    assert!(!walk(&db, &topic("transport"), 200).await?.contains(&"road-tax".to_owned()));
    // It keeps its place: listings sort by when an item first went live.
    assert_eq!(walk(&db, &topic("tax"), 200).await?, ["tax-deadline", "salaries-tax-return", "road-tax"]);

    // Withdrawn: out of every listing and count.
    content::withdraw(&db, &w.ledger, &w.reviewer, ids["tunnel-closure"]).await?;
    assert_eq!(facets::count(&db, Facet::Topic, "transport").await?, 3);
    assert_eq!(facets::count(&db, Facet::Kind, "notice").await?, 1);
    assert_eq!(facets::count(&db, Facet::Department, &w.td.to_string()).await?, 6);
    assert!(!facets::counts(&db, Facet::Kind).await?.contains_key("nothing"));
    assert_eq!(walk(&db, &news_and_notices, 10).await?, ["airport-express", "tax-deadline", "bus-fares-2027"]);

    // A cursor is only what a page gave.
    for bad in [tamar_core::Cursor::new(["x", "y"]), tamar_core::Cursor::new(["1"]), tamar_core::Cursor::new(["1", "a", "b"])] {
        let request = PageRequest { limit: 5, after: Some(bad) };
        assert!(matches!(content::live_page(&db, &topic("tax"), &request).await, Err(PortalError::BadCursor)));
    }

    // What the migration fills from the catalogue as it stands is what the changes kept.
    let snapshot = |db: Db| async move {
        let facets = db.fetch_all(&sea_query::Query::select().columns(["facet", "value", "item_id", "first_published_at", "item_slug", "item_kind"]).from("portal_facets").to_owned()).await.unwrap();
        let counts = db.fetch_all(&sea_query::Query::select().columns(["facet", "value", "items"]).from("portal_facet_counts").and_where(sea_query::ExprTrait::gt(sea_query::Expr::col("items"), 0)).to_owned()).await.unwrap();
        let mut facets: Vec<String> = facets.iter().map(|r| {
            format!("{}|{}|{}|{}|{}|{}", tamar_store::row::get::<String>(r, "facet").unwrap(), tamar_store::row::get::<String>(r, "value").unwrap(),
                tamar_store::row::get::<String>(r, "item_id").unwrap(), tamar_store::row::get::<i64>(r, "first_published_at").unwrap(),
                tamar_store::row::get::<String>(r, "item_slug").unwrap(), tamar_store::row::get::<String>(r, "item_kind").unwrap())
        }).collect();
        let mut counts: Vec<String> = counts.iter().map(|r| {
            format!("{}|{}|{}", tamar_store::row::get::<String>(r, "facet").unwrap(), tamar_store::row::get::<String>(r, "value").unwrap(), tamar_store::row::get::<i64>(r, "items").unwrap())
        }).collect();
        facets.sort();
        counts.sort();
        (facets, counts)
    };
    let kept = snapshot(db.clone()).await;
    assert_eq!(kept.0.len(), 6 * 2 + 6 + 8, "kind and department of 6 items, 6 topic values, 8 audience values");
    db.execute_sql("DELETE FROM portal_facets").await?;
    db.execute_sql("DELETE FROM portal_facet_counts").await?;
    let migration = tamar_portal::MIGRATIONS.iter().find(|m| m.id == "portal_0004_listings").unwrap();
    for statement in (migration.statements)(db.backend()).iter().filter(|s| s.starts_with("INSERT INTO portal_facet")) {
        db.execute_sql(statement).await?;
    }
    assert_eq!(snapshot(db.clone()).await, kept);
    Ok::<(), PortalError>(())
});

store_test!(most_used_counts_live_services_of_the_period, |db| async move {
    let w = setup(&db).await;
    let now = w.ledger.now();
    let today = now.date_naive();
    let a = content::import_published(&db, &w.ledger, w.td, item("service-a", ItemKind::Service, &["tax"], &["residents"]), now).await?;
    let b = content::import_published(&db, &w.ledger, w.td, item("service-b", ItemKind::Service, &["tax"], &["residents"]), now).await?;
    let c = content::import_published(&db, &w.ledger, w.td, item("service-c", ItemKind::Service, &["tax"], &["residents"]), now).await?;
    let news = content::import_published(&db, &w.ledger, w.td, item("some-news", ItemKind::News, &["tax"], &["residents"]), now).await?;
    let visits_on = |day: NaiveDate, pairs: Vec<(tamar_portal::ItemId, i64)>| {
        let db = db.clone();
        async move { visits::add(&db, day, &pairs.into_iter().collect()).await }
    };
    visits_on(today, vec![(a.id, 5), (b.id, 9), (news.id, 100)]).await?;
    visits_on(today - Duration::days(3), vec![(a.id, 6)]).await?;
    // Old visits are out of the period.
    visits_on(today - Duration::days(40), vec![(c.id, 1000)]).await?;
    let ranked = visits::most_used(&db, today - Duration::days(30), ItemKind::Service, 8).await?;
    assert_eq!(ranked, vec![(a.id, 11), (b.id, 9)]);
    assert_eq!(visits::most_used(&db, today - Duration::days(30), ItemKind::Service, 1).await?, vec![(a.id, 11)]);
    // A withdrawn service is not among them.
    let reviewer = &w.reviewer;
    content::withdraw(&db, &w.ledger, reviewer, a.id).await?;
    assert_eq!(visits::most_used(&db, today - Duration::days(30), ItemKind::Service, 8).await?, vec![(b.id, 9)]);
    Ok::<(), PortalError>(())
});
