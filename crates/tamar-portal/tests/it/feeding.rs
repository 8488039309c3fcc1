//! What the catalogue feeds to others: search documents that follow the change feed, the mail
//! that subscriptions ask for, and visit counts.

use sea_query::Query;
use tamar_portal::search_docs::{self, parse_search_key, search_key};
use tamar_portal::{subscription_mail, visits::VisitCounter};
use tamar_search::{SearchIndex, SearchRequest};

use super::*;

fn keys(index: &SearchIndex, q: &str) -> Vec<String> {
    index.search(&SearchRequest::new(q, Lang::En)).unwrap().hits.into_iter().map(|h| h.key).collect()
}

#[test]
fn a_search_key_names_the_item_it_stands_for() {
    let key = search_key(ItemKind::Notice, "typhoon-shelters");
    assert_eq!(key, "notice:typhoon-shelters");
    assert_eq!(parse_search_key(&key), Some((ItemKind::Notice, "typhoon-shelters")));
    assert_eq!(parse_search_key("leaflet:x"), None);
    assert_eq!(parse_search_key("no-kind"), None);
}

store_test!(search_documents_follow_the_change_feed, |db| async move {
    let w = setup(&db).await;
    let item = content::import_published(&db, &w.ledger, w.td, vehicle_licence(), w.ledger.now()).await?;
    let index = Arc::new(SearchIndex::open(None)?);
    assert!(!index.is_caught_up());
    let mut cursor = search_docs::catch_up(&db, &index, w.ledger.now()).await?;
    assert!(index.is_caught_up(), "readiness waits for this");
    assert_eq!(cursor.position(), feed::last_seq(&db).await?);
    assert_eq!(index.cursor(), Some(cursor.position().to_string()), "the position is committed with the index");
    let found = index.search(&SearchRequest::new("vehicle licence", Lang::En))?;
    assert_eq!(found.hits.iter().map(|h| (h.key.as_str(), h.department.as_str())).collect::<Vec<_>>(), [("service:renew-vehicle-licence", "TD")]);
    assert_eq!(keys(&index, "insurance"), ["service:renew-vehicle-licence"], "how to apply is part of the body");

    // Withdrawn, it leaves the index at the next change; nothing new, nothing applied.
    content::withdraw(&db, &w.ledger, &w.reviewer, item.id).await?;
    assert_eq!(search_docs::apply_changes(&db, &index, &mut cursor, w.ledger.now()).await?, 1);
    assert!(keys(&index, "vehicle licence").is_empty());
    assert_eq!(search_docs::apply_changes(&db, &index, &mut cursor, w.ledger.now()).await?, 0);

    // A rebuild reflects what is live, from the feed position it read first.
    content::import_published(&db, &w.ledger, w.td, NewItem { slug: "renew-driving-licence".into(), ..vehicle_licence() }, w.ledger.now()).await?;
    let position = search_docs::rebuild_index(&db, &index, w.ledger.now()).await?;
    assert_eq!(position, feed::last_seq(&db).await?);
    assert_eq!(keys(&index, "vehicle licence"), ["service:renew-driving-licence"]);
    Ok::<(), PortalError>(())
});

async fn queued_mail(db: &Db) -> Vec<(String, String)> {
    let rows = db.fetch_all(&Query::select().columns(["to_address", "body"]).from("notify_queue").to_owned()).await.unwrap();
    rows.iter().map(|r| (tamar_store::row::get(r, "to_address").unwrap(), tamar_store::row::get(r, "body").unwrap())).collect()
}

store_test!(subscription_mail_is_queued_once_in_the_subscribers_language, |db| async move {
    let w = setup(&db).await;
    Migrator::new(&db, &[tamar_notify::MIGRATIONS]).run().await.unwrap();
    let new = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Citizen,
        email: "chan@example.hk".into(),
        display_name: "陳大文".into(),
        password: "correct horse battery".into(),
        department: None,
        roles: vec![],
    };
    let person = tamar_identity::create_account(&db, &w.ledger, &Actor::System, new).await.unwrap();
    mygov::subscribe(&db, &w.ledger, &person.actor(), SubscriptionTarget::Topic("transport".into()), Lang::Tc).await?;
    let mut gaps = feed::FeedCursor::default();
    let url = "https://www.example.hk";
    assert_eq!(subscription_mail::queue_updates(&db, &w.ledger, url, &mut gaps).await?, 0, "starts at the end of the feed");

    content::import_published(&db, &w.ledger, w.td, vehicle_licence(), w.ledger.now()).await?;
    let other_topic = NewItem { slug: "tax-return".into(), content: ContentInput { topics: vec!["tax".into()], ..vehicle_licence().content }, ..vehicle_licence() };
    content::import_published(&db, &w.ledger, w.td, other_topic, w.ledger.now()).await?;
    // Both are the department's, but only one is of the subscribed topic.
    assert_eq!(subscription_mail::queue_updates(&db, &w.ledger, url, &mut gaps).await?, 1);
    assert_eq!(subscription_mail::queue_updates(&db, &w.ledger, url, &mut gaps).await?, 0, "mailed once");
    let mail = queued_mail(&db).await;
    assert_eq!(mail.len(), 1);
    let (to, body) = &mail[0];
    assert_eq!(to, "chan@example.hk");
    assert!(body.contains("續領車輛牌照") && body.contains("https://www.example.hk/tc/services/renew-vehicle-licence"), "{body}");
    assert!(body.contains("https://www.example.hk/tc/account/subscriptions"), "{body}");

    // Another node, starting with its own gaps, finds nothing left to mail.
    let mut elsewhere = feed::FeedCursor::default();
    assert_eq!(subscription_mail::queue_updates(&db, &w.ledger, url, &mut elsewhere).await?, 0);
    Ok::<(), PortalError>(())
});

store_test!(visits_are_counted_in_memory_and_written_per_item, |db| async move {
    let w = setup(&db).await;
    let item = content::import_published(&db, &w.ledger, w.td, vehicle_licence(), w.ledger.now()).await?;
    let counter = VisitCounter::default();
    for _ in 0..3 {
        counter.add(ItemKind::Service, "renew-vehicle-licence");
    }
    // Addresses that name no item of their kind count for nothing.
    counter.add(ItemKind::Guide, "renew-vehicle-licence");
    counter.add(ItemKind::Service, "no-such-service");
    let today = w.ledger.now().date_naive();
    counter.flush(&db, today).await?;
    assert_eq!(visits::since(&db, today).await?, HashMap::from([(item.id, 3)]));
    counter.flush(&db, today).await?;
    assert_eq!(visits::since(&db, today).await?.get(&item.id), Some(&3), "a flush writes only what came since the last");
    Ok::<(), PortalError>(())
});
