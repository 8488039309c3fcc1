//! The A-Z directory of bureaux and departments.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use tamar_web::pages::{PageContext, render};
use tamar_web::{AppState, PublicPage, WebError};

struct DepartmentLink {
    code: String,
    name: String,
}

struct LetterGroup {
    letter: char,
    departments: Vec<DepartmentLink>,
}

#[derive(Template)]
#[template(path = "departments.html")]
struct DepartmentsPage {
    page: PageContext,
    groups: Vec<LetterGroup>,
}

/// The A-Z directory, ordered and grouped by English name as on GovHK.
pub async fn departments(page: PageContext, State(state): State<AppState>) -> Result<(PublicPage, Html<String>), WebError> {
    let mut all = tamar_tenancy::list(&state.db).await?;
    all.sort_by_key(|d| d.name.en.to_lowercase());
    let mut groups: Vec<LetterGroup> = Vec::new();
    for d in all {
        let letter = d.name.en.chars().next().map(|c| c.to_ascii_uppercase()).unwrap_or('#');
        let link = DepartmentLink { name: d.name.get(page.lang).to_owned(), code: d.code };
        match groups.last_mut() {
            Some(group) if group.letter == letter => group.departments.push(link),
            _ => groups.push(LetterGroup { letter, departments: vec![link] }),
        }
    }
    Ok((PublicPage, render(&DepartmentsPage { page: page.section("departments"), groups })?))
}

