site-name = Tamar 添马
site-description = 政府资讯及服务，一站提供。
skip-to-content = 跳至主要内容
language-switcher = 语言
nav-main = 主菜单
nav-home = 首页
nav-departments = 政府部门一览
nav-transparency = 透明日志
nav-admin = 平台管理
nav-office = 我的部门
nav-account = 我的账户
nav-sign-in = 登录
nav-sign-out = 登出
footer-about = Tamar 是政府的网上资讯及服务平台。每项更改及每次读取个人资料，均记录于公开而防篡改的日志。
footer-api = 开放应用程序接口

home-title = 政府服务及资讯
home-lead = 查找政府部门、使用网上服务，并查看谁曾访问你的资料。
home-departments-body = { $count } 个政策局及部门的联络资料和服务。
home-transparency-body = 查核本平台每项更改经签署、防篡改的记录。
home-account-body = 登录以查看你的资料，以及每次访问你资料的记录。

departments-title = 政策局及部门一览
departments-lead = 所有通过 Tamar 为市民提供服务的政策局及部门。
departments-letters = 按字母跳至

department-caption = 政策局或部门
department-code = 代号
department-name-en = 英文名称
department-name-tc = 繁体中文名称
department-name-sc = 简体中文名称
department-website = 网站
department-back = 返回所有部门

transparency-title = 透明日志
transparency-lead = 本平台的每项更改，以及每次读取个人资料，都会加入一个一经改动即可被发现的日志。任何人均可查核。
transparency-head = 最新签署树头
transparency-size = 记录数目
transparency-time = 签署时间
transparency-root = 根哈希值（SHA-256，base64）
transparency-signature = 签名（Ed25519，base64）
transparency-key = 公钥（base64）
transparency-empty = 日志暂时没有记录。
transparency-check = 自行查核
transparency-check-body = 日志是一棵依照 RFC 6962 的默克尔树，与证书透明度（Certificate Transparency）相同。以下端点提供已签署的树头，以及证明任何记录已包含其中、而日志只会增长的证明：

sign-in-title = 登录
sign-in-email = 电邮地址
sign-in-password = 密码
sign-in-submit = 登录
error-summary-title = 出现问题
error-page-code = 错误代码：
error-page-home = 前往首页

account-title = 我的账户
account-profile = 你的资料
account-name = 姓名
account-email = 电邮地址
account-kind = 账户类别
account-department = 部门
account-accesses = 谁曾访问你的资料
account-accesses-lead = 每当有人在本平台读取或更改你的个人资料，都会被记录。以下是有关记录，最新的排在最前。
account-accesses-none = 暂时没有人访问你的资料。
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

error-bad_request = 无法理解此请求。
error-invalid_json = 请求内容并非有效的 JSON。
error-invalid_form = 无法读取表格，请再试一次。
error-invalid_query = 查询参数缺失或无效。
error-invalid_input = 部分资料无效。
error-unauthenticated = 你须先登录才可进行此操作。
error-invalid_credentials = 电邮地址或密码不正确。
error-forbidden = 你没有权限进行此操作。
error-csrf_failed = 此表格已过期或并非来自本网站。请返回上一页，重新加载后再试。
error-not_found = 找不到网页。
error-department_not_found = 没有此代号的部门。
error-ledger_entry_not_found = 日志中暂时没有此记录。
error-tree_size_out_of_range = 没有此大小的已签署树，或该记录不在其中。
error-tree_head_not_found = 没有此大小的已签署树头。
error-method_not_allowed = 此处不接受该方法。
error-department_code_taken = 已有部门使用此代号。
error-slug_taken = 此网址已被另一项内容使用。
error-content_state = 此版本目前不能进行这项操作：它可能已在审核中、已排期或已发布。
error-second_reviewer_required = 须由另一位人员审核：你不能批核自己撰写的内容。
error-email_taken = 已有账户使用此电邮地址。
error-payload_too_large = 请求的内容过大。
error-unsupported_media_type = 请求内容的类型不获接受（应用程序接口只接受 application/json）。
error-too_many_requests = 尝试次数过多，请稍后再试。
error-timeout = 处理时间过长，请再试一次。
error-unavailable = 服务暂时未能提供，请稍后再试。
error-internal = 抱歉，系统出现问题，我们已作记录。

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
register-sent = 我们已把链接寄往 { $email }。请于 24 小时内打开以确认你的地址。
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
account-verify-identity = 核实身份，以使用需要核实身份的服务
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
error-totp_already_enabled = 双重认证登录已启用。
error-mfa_required = 请先设置双重认证登录。
action-identity-totp-enable = 启用双重认证登录
action-identity-mfa-verify = 提供第二重认证
purpose-turn-on-two-factor-sign-in = 启用双重认证登录
purpose-sign-in-with-a-totp = 以保安编码登录
purpose-sign-in-with-a-recovery-code = 以备用编码登录

oidc-consent-title = 分享你的资料
oidc-consent-caption = 以 Tamar 登录
oidc-consent-heading = { $client }希望确认你的身份
oidc-consent-purpose = 要求原因
oidc-consent-claims = 将会取得的资料
oidc-consent-revocable = Tamar 会记住你的决定。你可随时在账户中撤回。
oidc-consent-allow = 允许
oidc-consent-deny = 不允许
oidc-scope-openid = 只有此服务才会看到的识别码
oidc-scope-profile = 你的英文及中文姓名
oidc-scope-email = 你的电邮地址
oidc-scope-hkid = 你的香港身份证号码（部分隐藏，例如 A123***(3)）
oidc-scope-birthdate = 你的出生日期
oidc-problem-title = 此登录链接无法使用
oidc-unknown-client = 把你带到这里的服务并未在 Tamar 登记。
oidc-bad-redirect = 把你带到这里的服务提出了 Tamar 无法接受的要求。请返回再试，或联络该服务。
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
error-reauthentication_required = 为保障你的安全，请再次登录后才进行此操作。

sign-title = 签署文件
sign-caption = 数码签署
sign-heading = { $client }请你签署一份文件
sign-document = 文件
sign-hash = 指纹（SHA-256）
sign-code = 编码
sign-check-code = 请确认该服务显示相同的编码。只有编码相同，而你确实要签署此文件时，才签署。
sign-submit = 签署文件
sign-decline = 不签署
sign-done = 你已签署此文件。该服务已取得你的签署。
sign-declined = 你已拒绝签署此文件。
sign-expired = 此要求已过期。请要求该服务重新开始。
sign-needs-l2 = 你的身份须已核实（第 2 级）才可签署。
error-assurance_too_low = 此操作需要已核实的身份（第 2 级）。
error-conflict = 在目前状态下无法进行此操作。
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
oidc-scope-address = 你的地址
oidc-scope-phone = 你的电话号码
action-identity-contact-update = 更改联络资料
purpose-keep-contact-details-for-forms = 保存表格用联络资料
office-new-officer = 开设人员账户
office-first-password = 首次登录密码
office-first-password-hint = 请亲身交予该人员。他们首次登录时须设置双重认证登录。
office-create-officer = 开设账户
notice-officer-created = 已开设该人员的账户。
oidc-scope-hkid_full = 你完整的香港身份证号码
password-title = 更改密码
password-lead = 你在其他设备的登录将会被登出。
password-current = 现时密码
password-new = 新密码
password-submit = 更改密码
notice-password-changed = 你的密码已更改。你在其他设备的登录已被登出。
action-identity-password-change = 更改密码
purpose-change-the-password = 更改密码
