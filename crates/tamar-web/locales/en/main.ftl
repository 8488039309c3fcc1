site-name = Tamar
site-description = Government information and services, in one place.
skip-to-content = Skip to main content
language-switcher = Language
nav-main = Main
nav-home = Home
nav-departments = Departments A-Z
nav-transparency = Transparency log
nav-admin = Platform administration
nav-office = My department
nav-account = Your account
nav-sign-in = Sign in
nav-sign-out = Sign out
footer-about = Tamar is the government's platform for information and services online. Every change, and every read of personal data, is written to a public tamper-evident log.
footer-api = Open API

home-title = Government services and information
home-lead = Find a department, use online services, and see who has accessed your data.
home-departments-body = Contact details and services of { $count } bureaux and departments.
home-transparency-body = Check the signed, tamper-evident record of every change made on this platform.
home-account-body = Sign in to see your details and every access to your data.

departments-title = Bureaux and departments A-Z
departments-lead = Every bureau and department that serves the public through Tamar.
departments-letters = Jump to a letter

department-caption = Bureau or department
department-code = Code
department-name-en = Name in English
department-name-tc = Name in Traditional Chinese
department-name-sc = Name in Simplified Chinese
department-website = Website
department-back = Back to all departments

transparency-title = Transparency log
transparency-lead = Every change on this platform, and every read of a person's data, is appended to a log that cannot be altered without detection. Anyone can check it.
transparency-head = Latest signed tree head
transparency-size = Entries
transparency-time = Signed at
transparency-root = Root hash (SHA-256, base64)
transparency-signature = Signature (Ed25519, base64)
transparency-key = Public key (base64)
transparency-empty = The log has no entries yet.
transparency-check = Check it yourself
transparency-check-body = The log is a Merkle tree as in RFC 6962, like Certificate Transparency. These endpoints give the signed head and the proofs that any entry is in it and that it only ever grows:

sign-in-title = Sign in
sign-in-email = Email address
sign-in-password = Password
sign-in-submit = Sign in
error-summary-title = There is a problem
error-page-code = Error code:
error-page-home = Go to the home page

account-title = Your account
account-profile = Your details
account-name = Name
account-email = Email address
account-kind = Account type
account-department = Department
account-accesses = Who accessed your data
account-accesses-lead = Every time someone read or changed your personal data on this platform, it was logged. This is that record, newest first.
account-accesses-none = Nobody has accessed your data yet.
access-when = When
access-who = Who
access-what = What
access-why = Why

actor-you = You
actor-citizen = A member of the public
actor-officer = A government officer
actor-officer-of = An officer of { $department }
actor-platform-admin = A platform administrator
actor-system = The platform
actor-anonymous = Someone not signed in

action-identity-account-create = Opened the account
action-identity-account-read = Viewed the account's details
action-identity-session-create = Signed in
action-identity-session-end = Signed out
action-tenancy-department-create = Registered a department

purpose-register-a-department = Register a department
purpose-open-an-account = Open an account
purpose-sign-in = Sign in
purpose-sign-out = Sign out
purpose-list-the-department-s-officers = List the department's officers
purpose-verify-identity-for-a-smart-id-card-application = Verify identity for a smart ID card application

admin-departments-title = Departments
admin-departments-list = Registered departments
admin-departments-add = Register a department
admin-departments-code-hint = 2 to 12 capital letters or digits, for example IMMD
admin-departments-submit = Register department
admin-departments-created = Department { $code } registered.
admin-departments-invalid = Check this field: { $field }
field-code = Code
field-name-en = Name in English
field-name-tc = Name in Traditional Chinese
field-name-sc = Name in Simplified Chinese
field-website = Website

office-title = My department
office-roles = Roles
office-officers = Officers

role-department-admin = Department administrator
role-content-editor = Content editor
role-content-reviewer = Content reviewer
role-identity-verifier = Identity verifier
role-case-officer = Case officer

error-bad_request = The request could not be understood.
error-invalid_json = The request body is not valid JSON.
error-invalid_form = The form could not be read. Please try again.
error-invalid_query = A query parameter is missing or not valid.
error-invalid_input = Some of the information given is not valid.
error-unauthenticated = You need to sign in to do this.
error-invalid_credentials = The email address or password is not right.
error-forbidden = You do not have permission to do this.
error-csrf_failed = This form has expired or did not come from this site. Go back, reload the page and try again.
error-not_found = Page not found.
error-department_not_found = There is no department with that code.
error-ledger_entry_not_found = There is no such entry in the log yet.
error-tree_size_out_of_range = There is no signed tree of that size, or the entry is not in it.
error-tree_head_not_found = There is no signed tree head of that size.
error-method_not_allowed = That method is not allowed here.
error-department_code_taken = A department with that code already exists.
error-email_taken = An account with that email address already exists.
error-payload_too_large = The request is too large.
error-unsupported_media_type = The request body must be of the type this address accepts (for the API, application/json).
error-too_many_requests = Too many attempts. Wait a while and try again.
error-timeout = The request took too long. Please try again.
error-unavailable = The service is temporarily unavailable. Please try again later.
error-internal = Sorry, something went wrong on our side. It has been recorded.
