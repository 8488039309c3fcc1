departments-title = 政策局及部门一览
departments-lead = 所有通过 Tamar 为市民提供服务的政策局及部门。
departments-letters = 按字母跳至

department-back = 返回所有部门

account-checkpoint-body = 日志当前的检查点涵盖以上每一项记录。
account-checkpoint-more = 什么是检查点，以及如何用它查核日志

sign-in-title = 登录
sign-in-email = 电邮地址
sign-in-password = 密码
sign-in-submit = 登录

account-profile = 你的资料
account-name = 姓名
account-email = 电邮地址
account-kind = 账户类别
account-department = 部门
account-accesses-lead = 每当有人在本平台读取或更改你的个人资料，都会被记录。以下是有关记录，最新的排在最前。
account-accesses-none = 暂时没有人访问你的资料。
account-accesses-older = 较早的记录
account-sessions-older = 较早的登录
access-when = 时间
access-who = 访问者
access-what = 行动
access-why = 目的

actor-you = 你
actor-citizen = 一名市民
actor-officer = 一名政府人员
actor-officer-of = { $department }的一名人员
actor-platform-admin = 一名平台管理员
actor-system = 平台本身
actor-service = { $service }（你通过 Tamar 登录的服务）
actor-anonymous = 未登录的人士

action-identity-account-create = 开设账户
action-identity-account-read = 查阅账户资料
action-identity-session-create = 登录
action-identity-session-end = 登出
action-tenancy-department-create = 登记部门

purpose-register-a-department = 登记部门
purpose-open-an-account = 开设账户
purpose-sign-in = 登录
purpose-sign-out = 登出
purpose-list-the-department-s-officers = 列出部门人员
purpose-verify-identity-for-a-smart-id-card-application = 为智能身份证申请核实身份

admin-departments-title = 部门
admin-departments-list = 已登记的部门
admin-departments-add = 登记部门
admin-departments-code-hint = 2 至 12 个大写英文字母或数字，例如 IMMD
admin-departments-submit = 登记部门
admin-departments-created = 已登记部门 { $code }。
admin-departments-invalid = 请检查此栏：{ $field }
field-code = 代号
field-name-en = 英文名称
field-name-tc = 繁体中文名称
field-name-sc = 简体中文名称
field-website = 网站

office-title = 我的部门
office-roles = 职务
office-officers = 人员

role-department-admin = 部门管理员
role-content-editor = 内容编辑
role-content-reviewer = 内容审核
role-identity-verifier = 身份核实人员
role-case-officer = 个案主任

error-invalid_credentials = 电邮地址或密码不正确。
error-role_not_grantable = 你不能在此部门授予该角色。全平台角色须由平台管理员授予，或由该角色专属的部门授予。
error-department_not_found = 没有此代号的部门。
error-department_code_taken = 已有部门使用此代号。
error-email_taken = 已有账户使用此电邮地址。

sign-in-register = 开设账户
office-verifications = 身份核实工作列表

password-too_short = 密码最少须有 8 个字符。
password-common = 此密码太常见。请选用较长或较难猜测的密码；数个互不相关的词语效果很好。
password-repetitive = 密码只重复同一字符，请选用较难猜测的密码。
password-personal = 密码与你的电邮地址或姓名太接近。
form-invalid-field = 请检查此栏：{ $field }
field-display-name = 英文姓名
field-name-zh = 中文姓名
field-email = 电邮地址
field-password = 密码
field-date-of-birth = 出生日期
field-department = 部门
field-roles = 职务

email-verify-subject = 确认你在 Tamar 的电邮地址
email-verify-body =
    { $name }：

    请于 24 小时内打开以下链接，并按页面上的按钮，以确认你 Tamar 账户的电邮地址：

    { $link }

    如你并无在 Tamar 开设账户，请不用理会本电邮。

register-title = 开设账户
register-check-email = 请查看你的电邮
register-sent = 我们已发送电邮至 { $email }。请按电邮的指示继续；电邮内的链接于 24 小时内有效。
register-name-en = 英文姓名
register-name-en-hint = 与身份证明文件相同，例如 CHAN Tai-man。
register-name-zh = 中文姓名（如有）
register-password-hint = 最少 8 个字符。数个互不相关的词语可组成安全的密码。
register-submit = 开设账户
verify-email-title = 确认你的电邮地址
verify-email-submit = 确认我的电邮地址

account-verify-email = 请确认你的电邮地址：我们已把链接寄往 { $email }。
account-resend = 再次寄出链接
account-name-zh = 中文姓名
account-assurance = 认证级别
account-hkid = 香港身份证号码
account-sessions = 你在哪些设备登录
session-started = 登录时间
session-device = 设备
session-action = 行动
session-this = 此设备
session-end = 登出

notice-email-verified = 你的电邮地址已获确认。
notice-email-sent = 我们已再次寄出链接。
notice-session-ended = 该登录已被登出。
notice-identity-submitted = 谢谢。人员会核实你的身份，结果会在此显示。

assurance-l0 = 电邮地址尚未确认
assurance-l1 = 电邮地址已确认（第 1 级）
assurance-l2 = 身份已核实（第 2 级）
assurance-l3 = 身份已核实并设有通行密钥（第 3 级）

identity-title = 核实你的身份
identity-lead = 入境事务处人员会核对你的香港身份证号码及出生日期。Tamar 只以无法还原的形式保存该号码。
identity-hkid = 香港身份证号码
identity-hkid-hint = 例如 A123456(3)。
identity-dob = 出生日期
identity-dob-hint = 年、月、日，例如 1990-07-01。
identity-submit = 提交核实

queue-title = 身份核实工作列表
queue-empty = 暂时没有待处理的申请。
queue-caption = 等待决定，最早提交的排在最前
queue-decision = 决定
queue-approve = 批准
queue-reject = 拒绝
queue-later = 较后提交的申请
verification-approved = 已批准。该账户现为第 2 级。
verification-rejected = 已拒绝。

error-weak_password = 请选用另一个密码。
error-invalid_link = 此链接无效：可能已被使用或已过期。
error-invalid_hkid = 这不是香港身份证号码。请以 A123456(3) 的格式输入。
error-hkid_check_digit = 括号内的检查数字与号码不符。请核对你身份证上的号码。
error-verification_pending = 你的身份已核实或正等待核实。
error-identity_taken = 此身份已登记于另一账户。
error-email_not_verified = 请先确认你的电邮地址。

action-identity-email-verify = 确认电邮地址
action-identity-verification-submit = 申请核实身份
action-identity-verification-read = 查阅身份核实申请
action-identity-verification-approve = 核实身份
action-identity-verification-reject = 拒绝身份核实
action-identity-session-revoke = 登出一个登录
purpose-verify-an-email-address = 确认电邮地址
purpose-ask-for-identity-verification = 申请核实身份
purpose-check-an-identity-for-verification = 核对身份以作核实
purpose-verify-identity = 核实身份
purpose-sign-out-elsewhere = 在其他设备登出

code-title = 输入你的保安编码
code-label = 保安编码
code-hint = 验证应用程序显示的 6 位数字编码，或你的其中一个备用编码。
code-submit = 继续
two-factor-title = 双重认证登录
two-factor-on = 双重认证登录已启用。登录时，系统会要求你输入验证应用程序的编码。
two-factor-recovery = 你的备用编码
two-factor-recovery-lead = 请妥善保存这些编码。如遗失手机，每个编码可使用一次。编码不会再次显示。
two-factor-continue = 前往你的账户
two-factor-required = 政府人员必须使用双重认证登录。请先完成设置。
two-factor-lead = 使用手机上的验证应用程序，每 30 秒产生一个新编码。
two-factor-step-scan = 以验证应用程序扫描此二维码。
two-factor-qr = 验证应用程序的二维码
two-factor-step-key = 如无法扫描，请输入此密钥：
two-factor-step-code = 输入应用程序显示的 6 位数字编码
two-factor-submit = 启用双重认证登录
account-two-factor = 双重认证登录
account-two-factor-on = 已启用
account-two-factor-off = 未启用：立即设置
error-invalid_code = 编码不正确或已被使用。请输入最新的编码。
error-sign_in_expired = 你的登录已超时，请重新输入电邮地址和密码。
error-totp_already_enabled = 双重认证登录已启用。
action-identity-totp-enable = 启用双重认证登录
action-identity-mfa-verify = 提供第二重认证
purpose-turn-on-two-factor-sign-in = 启用双重认证登录
purpose-sign-in-with-a-totp = 以保安编码登录
purpose-sign-in-with-a-recovery-code = 以备用编码登录

action-oidc-key-rotate = 已发布新的登录签署密钥
account-consents = 你与哪些服务分享资料
consent-service = 服务
consent-what = 取得的资料
consent-since = 开始日期
consent-revoke = 停止分享
notice-consent-revoked = 该服务不会再取得你的资料。
action-oidc-consent-grant = 同意与服务分享资料
action-oidc-consent-revoke = 停止与服务分享资料
action-oidc-token-issue = 服务让你登录
action-oidc-claims-release = 你的资料已交予服务
sign-in-again = 为保障你的安全，请再次登录以继续。

action-signing-document-sign = 签署文件
action-signing-document-decline = 拒绝签署文件
passkey-or = 或使用通行密钥
passkey-sign-in = 以通行密钥登录
passkey-add = 新增通行密钥
passkey-needs-js = 新增或使用通行密钥须在浏览器启用 JavaScript。
account-passkeys = 通行密钥
account-passkeys-count = 此账户的通行密钥：{ $count } 个。通行密钥让你无须密码登录；身份已核实的账户加上通行密钥即达第 3 级。
error-passkey_failed = 无法使用通行密钥，请再试。
action-identity-passkey-add = 新增通行密钥
purpose-add-a-passkey = 新增通行密钥
purpose-sign-in-with-a-passkey = 以通行密钥登录
sign-in-passkey-needed = 该服务要求第 3 级：请以你的通行密钥登录。
account-address = 地址
account-phone = 电话
contact-title = 表格用联络资料
contact-lead = 你允许的服务可用这些资料填写表格，你无须每次重新输入。
contact-phone-hint = 例如 2123 4567 或 +852 9123 4567。
contact-submit = 保存
field-address = 地址
field-phone = 电话
notice-contact-saved = 已保存你的联络资料。
action-identity-contact-update = 更改联络资料
purpose-keep-contact-details-for-forms = 保存表格用联络资料
office-new-officer = 开设人员账户
office-first-password = 首次登录密码
office-first-password-hint = 请亲身交予该人员。他们首次登录时须设置双重认证登录。
office-create-officer = 开设账户
notice-officer-created = 已开设该人员的账户。
password-title = 更改密码
password-lead = 你在其他设备的登录将会被登出。
password-current = 现时密码
password-new = 新密码
password-submit = 更改密码
notice-password-changed = 你的密码已更改。你在其他设备的登录已被登出。
action-identity-password-change = 更改密码
purpose-change-the-password = 更改密码

passkey-add-lead = 通行密钥无须密码即可登录，因此请先再次输入密码。
email-change-title = 更改电邮地址
email-change-lead = 你的账户目前使用 { $email }。我们会把链接寄到新地址，你点击链接后更改即生效。我们亦会通知你现时的地址。
email-change-new = 新电邮地址
email-change-submit = 寄出确认链接
email-change-sent = 我们已把链接寄到 { $email }，请点击链接完成更改。
two-factor-off-title = 关闭双重认证登录
two-factor-off-warning = 关闭双重认证登录后，任何知道你密码的人都可以你的身份登录。
two-factor-off-submit = 关闭
notice-two-factor-off = 双重认证登录已关闭，我们已就此发电邮通知你。
action-identity-totp-disable = 关闭双重认证登录
action-identity-email-change-request = 要求更改电邮地址
action-identity-email-change = 更改电邮地址
purpose-turn-off-two-factor-sign-in = 关闭双重认证登录
purpose-change-the-email-address = 更改电邮地址
