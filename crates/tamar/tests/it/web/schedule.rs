//! The module list and the one scheduler: every module's jobs have names of their own; a job
//! that runs on one node runs on one node only; a failure is counted and the job runs again.

use super::*;

use std::sync::atomic::{AtomicUsize, Ordering};
use tamar_web::schedule::{Job, Outcome, Placement, tick};

#[test]
fn modules_and_jobs_have_names_of_their_own() {
    let modules = tamar::modules::all();
    let mut names: Vec<&str> = modules.iter().map(|m| m.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), modules.len(), "module names repeat: {names:?}");
    let jobs = tamar::modules::jobs();
    let mut job_names: Vec<&str> = jobs.iter().map(|j| j.name).collect();
    job_names.sort();
    job_names.dedup();
    assert_eq!(job_names.len(), jobs.len(), "job names repeat: {job_names:?}");
    for expected in ["search-index", "scheduled-publishing", "visit-counts", "subscription-mail", "mail-delivery", "oidc-key-rotation"] {
        assert!(job_names.contains(&expected), "{expected} is missing from {job_names:?}");
    }
    // Migrations are listed once: no id twice.
    let mut ids: Vec<&str> = tamar::modules::migrations().iter().flat_map(|set| set.iter()).map(|m| m.id).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "a migration is listed twice");
}

store_test!(a_one_node_job_runs_on_the_node_that_holds_its_lease, |db| async move {
    let app = setup(db).await;
    let metrics = tamar_web::ops::metrics_handle().expect("the metrics recorder");
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let job = Job::new("test-one-node", Duration::from_secs(5), Placement::OneNode, move |_| {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    assert_eq!(tick(&job, &app.state, "node-a").await, Outcome::Ran);
    assert_eq!(tick(&job, &app.state, "node-b").await, Outcome::Elsewhere, "node-a holds the lease");
    assert_eq!(tick(&job, &app.state, "node-a").await, Outcome::Ran, "and renews it");
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // A job on every node runs on each.
    let everywhere = Job::new("test-every-node", Duration::from_secs(5), Placement::EveryNode, |_| async { Ok(()) });
    assert_eq!(tick(&everywhere, &app.state, "node-a").await, Outcome::Ran);
    assert_eq!(tick(&everywhere, &app.state, "node-b").await, Outcome::Ran);

    // A failing job is reported as failed, and tried again at the next tick.
    let tries = Arc::new(AtomicUsize::new(0));
    let counted = tries.clone();
    let flaky = Job::new("test-flaky", Duration::from_secs(5), Placement::OneNode, move |_| {
        let counted = counted.clone();
        async move {
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                anyhow::bail!("the first run fails");
            }
            Ok(())
        }
    });
    assert_eq!(tick(&flaky, &app.state, "node-a").await, Outcome::Failed);
    assert_eq!(tick(&flaky, &app.state, "node-a").await, Outcome::Ran);

    // Each outcome is counted, by job, and each run timed.
    let scraped = metrics.render();
    for line in [
        r#"tamar_job_runs_total{job="test-one-node",outcome="ok"}"#,
        r#"tamar_job_runs_total{job="test-one-node",outcome="elsewhere"}"#,
        r#"tamar_job_runs_total{job="test-flaky",outcome="error"}"#,
        r#"tamar_job_duration_seconds_count{job="test-flaky"}"#,
    ] {
        assert!(scraped.contains(line), "{line} is not in the metrics:\n{scraped}");
    }
    Ok::<(), anyhow::Error>(())
});

// Every module's job runs, without an error, on a fresh platform.
store_test!(every_module_job_runs_on_a_fresh_platform, |db| async move {
    let app = setup(db).await;
    for job in tamar::modules::jobs() {
        assert_eq!(tick(&job, &app.state, "node-a").await, Outcome::Ran, "{}", job.name);
    }
    Ok::<(), anyhow::Error>(())
});

store_test!(stopping_the_jobs_lets_a_run_finish_and_starts_no_other, |db| async move {
    let app = setup(db).await;
    let (started, finished) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (s, f) = (started.clone(), finished.clone());
    let job = Job::new("test-slow", Duration::from_millis(10), Placement::EveryNode, move |state| {
        let (s, f) = (s.clone(), f.clone());
        async move {
            s.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            // A run that finishes still has the database: the node closes it only after.
            state.db.ping().await?;
            f.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    let jobs = tamar_web::schedule::spawn(app.state.clone(), vec![job]);
    while started.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    jobs.stop().await;
    assert_eq!(finished.load(Ordering::SeqCst), started.load(Ordering::SeqCst), "the run under way finished before stop returned");
    let runs = started.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(started.load(Ordering::SeqCst), runs, "no run after the stop");
    Ok(()) as R
});
