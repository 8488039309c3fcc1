//! A department's message to many people: delivered in the background at no more than its
//! rate, to each person in the audience exactly once, with a log entry for each message, even
//! when two nodes deliver at once; cancelled, it stops.

use super::*;
use tamar_portal::bulk::{self, Audience, BulkStatus, NewBulkSend};
use tamar_store::sea_query::{Expr, ExprTrait, Query};
use tamar_store::row;

/// `count` people subscribed to the transport topic, written as `subscribe` writes them.
async fn subscribers(db: &Db, count: usize) -> Vec<AccountId> {
    let people: Vec<AccountId> = (0..count).map(|_| AccountId::new()).collect();
    for chunk in people.chunks(500) {
        let mut insert = Query::insert().into_table("portal_subscriptions").columns(["account_id", "target", "lang", "created_at"]).to_owned();
        for person in chunk {
            insert.values_panic([person.to_string().into(), "topic:transport".into(), "en".into(), 0i64.into()]);
        }
        db.execute(&insert).await.unwrap();
    }
    people
}

fn notice(audience: Audience, rate: Option<u32>) -> NewBulkSend {
    NewBulkSend {
        audience,
        kind: MessageKind::Message,
        subject: t("Road closures this weekend", "本週末道路封閉"),
        body: t("Expect delays on Nathan Road.", "彌敦道或有延誤。"),
        due_on: None,
        rate,
    }
}

/// How many messages each person holds, by person.
async fn inboxes(db: &Db) -> HashMap<String, i64> {
    let rows = db.fetch_all(&Query::select().column("account_id").from("portal_messages").to_owned()).await.unwrap();
    let mut held = HashMap::new();
    for r in rows {
        *held.entry(row::get::<String>(&r, "account_id").unwrap()).or_insert(0) += 1;
    }
    held
}

async fn logged(db: &Db, action: &str) -> usize {
    db.fetch_all(&Query::select().column("id").from("ledger_entries").and_where(Expr::col("action").eq(action)).to_owned()).await.unwrap().len()
}

store_test!(a_bulk_message_reaches_each_subscriber_once_within_its_rate, |db| async move {
    let w = setup(&db).await;
    let case_officer = Actor::Officer { account: AccountId::new(), department: w.td, roles: vec![Role::CaseOfficer] };
    let people = subscribers(&db, 2_300).await;
    let topic = Audience::Subscribers(SubscriptionTarget::Topic("transport".into()));

    // Who may send what: not a citizen or an editor; everyone only from an administrator; only
    // the sender's own department's subscribers; a rate within bounds.
    assert!(matches!(bulk::start(&db, &w.ledger, &w.citizen, w.td, notice(topic.clone(), None)).await, Err(PortalError::Forbidden)));
    assert!(matches!(bulk::start(&db, &w.ledger, &w.editor, w.td, notice(topic.clone(), None)).await, Err(PortalError::Forbidden)));
    assert!(matches!(bulk::start(&db, &w.ledger, &case_officer, w.td, notice(Audience::Everyone, None)).await, Err(PortalError::Forbidden)));
    let other = Audience::Subscribers(SubscriptionTarget::Department(DepartmentId::new()));
    assert!(matches!(bulk::start(&db, &w.ledger, &case_officer, w.td, notice(other, None)).await, Err(PortalError::Invalid { field: "audience", .. })));
    for rate in [0, bulk::MAX_RATE + 1] {
        assert!(matches!(bulk::start(&db, &w.ledger, &case_officer, w.td, notice(topic.clone(), Some(rate))).await, Err(PortalError::Invalid { field: "rate", .. })));
    }
    assert!(inboxes(&db).await.is_empty(), "nothing refused was sent");

    let send = bulk::start(&db, &w.ledger, &case_officer, w.td, notice(topic.clone(), Some(bulk::MAX_RATE))).await?;
    assert_eq!((send.status, send.sent), (BulkStatus::Sending, 0));
    assert!(inboxes(&db).await.is_empty(), "starting only records it");
    // Each second's run delivers at most the rate: 1000, 1000, then the last 300.
    let mut runs = Vec::new();
    loop {
        let delivered = bulk::advance(&db, &w.ledger).await?;
        if delivered == 0 {
            break;
        }
        runs.push(delivered);
    }
    assert_eq!(runs, vec![1000, 1000, 300]);
    let done = bulk::get(&db, w.td, send.id).await?;
    assert_eq!((done.status, done.sent), (BulkStatus::Done, 2_300));
    assert!(done.finished_at.is_some());
    let held = inboxes(&db).await;
    assert_eq!(held.len(), people.len());
    assert!(people.iter().all(|p| held.get(&p.to_string()) == Some(&1)), "each person once");
    w.ledger.sync().await.unwrap();
    assert_eq!(logged(&db, "portal.inbox.send").await, 2_300, "a log entry for every message");
    assert_eq!((logged(&db, "portal.bulk.start").await, logged(&db, "portal.bulk.done").await), (1, 1));
    // Another department does not see it, and it cannot be cancelled once done.
    assert!(matches!(bulk::get(&db, DepartmentId::new(), send.id).await, Err(PortalError::NotFound)));
    assert!(matches!(bulk::cancel(&db, &w.ledger, &case_officer, w.td, send.id).await, Err(PortalError::BulkFinished)));
    let page = bulk::list(&db, w.td, &PageRequest::default()).await?;
    assert_eq!(page.items.iter().map(|s| s.id).collect::<Vec<_>>(), vec![send.id]);
    Ok::<(), PortalError>(())
});

store_test!(a_cancelled_bulk_message_stops_and_a_slow_one_keeps_its_rate, |db| async move {
    let w = setup(&db).await;
    let admin = Actor::Officer { account: AccountId::new(), department: w.td, roles: vec![Role::DepartmentAdmin] };
    subscribers(&db, 600).await;
    let topic = Audience::Subscribers(SubscriptionTarget::Topic("transport".into()));
    let send = bulk::start(&db, &w.ledger, &admin, w.td, notice(topic, Some(100))).await?;
    assert_eq!(bulk::advance(&db, &w.ledger).await?, 100, "a second's worth at 100 a second");
    // Another department's officer cannot stop it.
    let stranger = Actor::Officer { account: AccountId::new(), department: DepartmentId::new(), roles: vec![Role::DepartmentAdmin] };
    assert!(matches!(bulk::cancel(&db, &w.ledger, &stranger, w.td, send.id).await, Err(PortalError::Forbidden)));
    assert!(matches!(bulk::cancel(&db, &w.ledger, &stranger, DepartmentId::new(), send.id).await, Err(PortalError::Forbidden)));
    let cancelled = bulk::cancel(&db, &w.ledger, &admin, w.td, send.id).await?;
    assert_eq!((cancelled.status, cancelled.sent), (BulkStatus::Cancelled, 100));
    assert_eq!(bulk::advance(&db, &w.ledger).await?, 0);
    assert_eq!(inboxes(&db).await.len(), 100, "those reached keep it; nobody else gets it");
    assert!(matches!(bulk::cancel(&db, &w.ledger, &admin, w.td, send.id).await, Err(PortalError::BulkFinished)));
    Ok::<(), PortalError>(())
});

store_test!(two_nodes_delivering_at_once_reach_each_person_once, |db| async move {
    let w = setup(&db).await;
    let admin = Actor::Officer { account: AccountId::new(), department: w.td, roles: vec![Role::DepartmentAdmin] };
    let people = subscribers(&db, 1_500).await;
    let topic = Audience::Subscribers(SubscriptionTarget::Topic("transport".into()));
    bulk::start(&db, &w.ledger, &admin, w.td, notice(topic, Some(bulk::MAX_RATE))).await?;
    for _ in 0..2 {
        let (a, b) = tokio::join!(bulk::advance(&db, &w.ledger), bulk::advance(&db, &w.ledger));
        a?;
        b?;
    }
    let held = inboxes(&db).await;
    assert_eq!(held.len(), people.len(), "everyone reached");
    assert!(held.values().all(|n| *n == 1), "nobody twice");
    Ok::<(), PortalError>(())
});

store_test!(a_message_to_everyone_reaches_every_person_and_no_officer, |db| async move {
    let w = setup(&db).await;
    let admin = Actor::Officer { account: AccountId::new(), department: w.td, roles: vec![Role::DepartmentAdmin] };
    let mut people = BTreeSet::new();
    for i in 0..3 {
        let account = tamar_identity::create_account(
            &db,
            &w.ledger,
            &Actor::System,
            tamar_identity::NewAccount {
                kind: tamar_identity::AccountKind::Citizen,
                email: format!("resident{i}@example.hk"),
                display_name: format!("Resident {i}"),
                password: "correct horse battery staple".into(),
                department: None,
                roles: Vec::new(),
            },
        )
        .await
        .unwrap();
        people.insert(account.id.to_string());
    }
    let officer = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Officer,
        email: "officer@td.gov.hk".into(),
        display_name: "An officer".into(),
        password: "correct horse battery staple".into(),
        department: Some(w.td),
        roles: vec![Role::CaseOfficer],
    };
    tamar_identity::create_account(&db, &w.ledger, &Actor::System, officer).await.unwrap();
    bulk::start(&db, &w.ledger, &admin, w.td, notice(Audience::Everyone, None)).await?;
    assert_eq!(bulk::advance(&db, &w.ledger).await?, 3);
    assert_eq!(inboxes(&db).await.into_keys().collect::<BTreeSet<_>>(), people);
    Ok::<(), PortalError>(())
});
