//! Pre-fill settings: what services may fill in, chosen by the person alone.

use std::collections::BTreeSet;

use super::*;
use tamar_identity::prefill::{self, PrefillField};

store_test!(only_the_person_chooses_what_services_may_fill_in, |db| async move {
    let ledger = setup(&db).await;
    let me = AccountId::new();
    let citizen = Actor::Citizen { account: me };
    // Until they choose: name and email, and never the identity card number.
    let defaults = prefill::prefill(&db, me).await?;
    assert_eq!(defaults, [PrefillField::Name, PrefillField::Email].into_iter().collect::<BTreeSet<_>>());
    assert!(!defaults.contains(&PrefillField::Hkid));
    let chosen: BTreeSet<_> = [PrefillField::Name, PrefillField::Address].into_iter().collect();
    prefill::set_prefill(&db, &ledger, &citizen, &chosen).await?;
    assert_eq!(prefill::prefill(&db, me).await?, chosen);
    prefill::set_prefill(&db, &ledger, &citizen, &BTreeSet::new()).await?;
    assert!(prefill::prefill(&db, me).await?.is_empty(), "nothing at all is a choice too");
    for nobody in [Actor::Anonymous, Actor::System] {
        assert!(matches!(prefill::set_prefill(&db, &ledger, &nobody, &chosen).await, Err(IdentityError::Forbidden)));
    }
    ledger.sync().await?;
    let actions: Vec<String> = ledger.accesses_to(me, &tamar_core::PageRequest::first(10)).await?.items.into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["identity.prefill.set", "identity.prefill.set"]);
    Ok::<(), IdentityError>(())
});
