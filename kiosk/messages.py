"""What the volunteer reads: one plain sentence per reason code, in Chinese or English.

Whole sentences with named fields, never fragments glued together, so a translator sees
the sentence as it will be read.
"""
from __future__ import annotations

import datetime as dt

LANGS = ("zh", "en")

VERDICT = {
    "zh": {
        "not_a_card": "不是本社区的出入证，请出示出入证二维码",
        "wrong_community": "不是本社区的出入证",
        "bad_signature": "出入证无效（疑似伪造），请联系楼栋长",
        "unknown_card": "查无此卡，请到社区办公室登记",
        "revoked": "此卡已作废，请使用新卡或到社区办公室",
        "suspended": "此卡已暂停使用，请联系社区办公室",
        "expired": "此卡已于{valid_to}过期",
        "not_yet_valid": "此卡自{valid_from}起生效",
        "temperature_required": "请先测体温，再扫码",
        "temperature_implausible": "体温读数{reading}不合理，请重新测量",
        "temperature_unit": "读数{reading}像是华氏度，请用摄氏度重新测量",
        "temperature_low": "体温{reading}℃偏低，请稍候重新测量",
        "fever_retest": "体温{reading}℃，请在旁休息{wait_min}分钟后复测",
        "retest_too_soon": "请再休息{remaining_min}分钟后复测（首测{first}℃）",
        "fever_confirmed": "复测{reading}℃仍发热，请引导至观察点并报告",
        "already_out": "此卡已外出未返回，不能再次外出",
        "quota_used": "本户本期已外出，{next_exit}起可再外出",
        "work_quota_used": "工作卡今日已外出，{next_exit}起可再外出",
        "outside_hours": "工作卡仅限{hours}外出",
        "reason_required": "特殊卡外出请选择事由",
        "ok_out": "放行，本期已用{used}/{limit}次",
        "ok_out_free": "放行",
        "ok_in": "欢迎回家",
        "entry_without_exit": "（无外出记录）",
        "override": "已由{operator}特批放行",
    },
    "en": {
        "not_a_card": "Not a pass card of this community: show the card's QR code",
        "wrong_community": "This card belongs to another community",
        "bad_signature": "Invalid card (possibly forged): call the building lead",
        "unknown_card": "Card not found: register at the community office",
        "revoked": "This card was revoked: use the new card or go to the office",
        "suspended": "This card is suspended: contact the community office",
        "expired": "This card expired on {valid_to}",
        "not_yet_valid": "This card is valid from {valid_from}",
        "temperature_required": "Take the temperature first, then scan",
        "temperature_implausible": "Reading {reading} is not plausible: measure again",
        "temperature_unit": "Reading {reading} looks like °F: measure again in °C",
        "temperature_low": "{reading} °C is low: wait a moment and measure again",
        "fever_retest": "{reading} °C: rest {wait_min} minutes, then retest",
        "retest_too_soon": "Rest {remaining_min} more minutes before the retest (first {first} °C)",
        "fever_confirmed": "Retest {reading} °C, still fever: take to the observation point and report",
        "already_out": "This card is already out: it cannot go out again",
        "quota_used": "This household has used its exit: next exit from {next_exit}",
        "work_quota_used": "Work card already used today: next exit from {next_exit}",
        "outside_hours": "Work cards go out only {hours}",
        "reason_required": "Special card: choose a reason for going out",
        "ok_out": "Go ahead: {used} of {limit} exits used",
        "ok_out_free": "Go ahead",
        "ok_in": "Welcome home",
        "entry_without_exit": "(no exit on record)",
        "override": "Let through by {operator}",
    },
}


def day(date: dt.date, lang: str) -> str:
    """A date as people say it: 2月12日 / 12 Feb."""
    return f"{date.month}月{date.day}日" if lang == "zh" else f"{date.day} {date:%b}"


def moment(when: dt.datetime, lang: str) -> str:
    """A local date-time as people say it: 2月12日 14:05 / 12 Feb 14:05."""
    return f"{day(when.date(), lang)} {when:%H:%M}"


def verdict_message(key: str, lang: str, **fields: object) -> str:
    return VERDICT[lang if lang in VERDICT else "zh"][key].format(**fields)


# Messages for the person at the terminal: bad input (exit 2) and storage failures (exit 3).
CLI = {
    "zh": {
        "bad_temperature": "体温“{value}”不是数字，例如 36.5",
        "bad_direction": "方向只能是 in（进）或 out（出）",
        "bad_reason": "外出事由“{value}”无效，可选：{choices}",
        "bad_date": "日期“{value}”无效，请用 2026-02-12 这样的格式",
        "bad_time": "时间“{value}”无效，请用 ISO-8601 格式，例如 2026-02-12T08:30",
        "no_database": "找不到数据库 {path}，请先运行 kiosk init",
        "exists": "数据库 {path} 已存在，不会覆盖",
        "storage_failed": "数据库或磁盘出错，本次未记录：{error}。请纸质登记并联系管理员",
        "no_signing_key": "本机没有签发密钥（{path}），请在社区办公室发卡",
        "unknown_household": "查无此户：{value}",
        "second_life_card": "户 {household} 已有生活卡 {serial}（一户一卡）；遗失请用 card reissue",
        "unknown_serial": "查无此卡：{value}",
        "already_revoked": "此卡已作废：{value}",
        "bad_setting": "设置无效：{error}",
        "duplicate_flat": "该房间已登记：{flat}",
        "bad_field": "{field}无效：{value}",
        "roster_errors": "名册有{count}处错误，未导入任何一行：",
        "roster_imported": "已导入{count}户",
        "cannot_read": "无法读取文件 {path}：{error}",
        "bad_dates": "有效期起始日晚于截止日",
        "bad_event": "查无此记录或该记录不是拒绝记录：{value}",
        # operators, exports, card sheets, the purge (issue 5)
        "bad_pin": "PIN 须为 {low} 到 {high} 位数字",
        "no_pin": "请从标准输入提供 PIN（--pin-stdin），例如：echo 1234 | kiosk ...",
        "bad_operator_name": "操作员姓名无效：{value}",
        "bad_role": "角色无效：{value}（可选 volunteer、lead、admin）",
        "lead_needs_building": "楼栋长须至少负责一栋楼（--building）",
        "operator_exists": "已有同名操作员：{value}",
        "pin_in_use": "此 PIN 已被其他操作员使用，请换一个",
        "unknown_operator": "查无此操作员：{value}",
        "not_your_building": "无权查看 {building} 栋的记录",
        "role_too_low": "需要{role}权限",
        "wrong_pin": "PIN 错误或权限不足",
        "pin_locked": "PIN 错误次数过多，已锁定至 {until}",
        "operator_added": "已添加操作员 {name}（{role}）",
        "no_operators": "尚无操作员，请用 kiosk operator add 添加",
        "exported": "已导出 {count} 条记录到 {path}",
        "cards_printed": "已生成 {count} 张卡片（{pages} 页）到 {path}",
        "no_cards": "没有可打印的有效卡片",
        "no_font": "找不到中文字体，请安装 fonts-wqy-microhei 或 fonts-noto-cjk",
        "cannot_write": "无法写入文件 {path}：{error}",
        "bad_format": "不支持的导出格式：{value}（可选 csv、xlsx、pdf）",
        "purge_unsynced": "{date} 之前有 {count} 条记录尚未同步，未删除任何记录；确需删除请加 --force",
        "purged": "已删除 {date} 之前的 {count} 条已同步记录",
        "cancelled": "已取消，未写入任何文件",
    },
    "en": {
        "bad_temperature": "Temperature '{value}' is not a number, e.g. 36.5",
        "bad_direction": "Direction must be in or out",
        "bad_reason": "Exit reason '{value}' is not valid; choose one of: {choices}",
        "bad_date": "Date '{value}' is not valid: use the form 2026-02-12",
        "bad_time": "Time '{value}' is not valid: use ISO-8601, e.g. 2026-02-12T08:30",
        "no_database": "No database at {path}: run kiosk init first",
        "exists": "A database already exists at {path}; it will not be overwritten",
        "storage_failed": "The database or the disk failed, nothing was recorded: {error}. "
                          "Record on paper and call the administrator",
        "no_signing_key": "This machine has no signing key ({path}): issue cards at the office",
        "unknown_household": "No such household: {value}",
        "second_life_card": "Household {household} already has life card {serial} (one per "
                            "household); for a lost card use card reissue",
        "unknown_serial": "No such card: {value}",
        "already_revoked": "This card is already revoked: {value}",
        "bad_setting": "Setting refused: {error}",
        "duplicate_flat": "This flat is already registered: {flat}",
        "bad_field": "{field} is not valid: {value}",
        "roster_errors": "The roster has {count} errors; no row was imported:",
        "roster_imported": "Imported {count} households",
        "cannot_read": "Cannot read file {path}: {error}",
        "bad_dates": "The card's valid-from date is after its valid-to date",
        "bad_event": "No denied event with this id: {value}",
        # operators, exports, card sheets, the purge (issue 5)
        "bad_pin": "A PIN is {low} to {high} digits",
        "no_pin": "Give the PIN on standard input (--pin-stdin), e.g. echo 1234 | kiosk ...",
        "bad_operator_name": "Operator name is not valid: {value}",
        "bad_role": "Role is not valid: {value} (volunteer, lead or admin)",
        "lead_needs_building": "A building lead needs at least one building (--building)",
        "operator_exists": "An operator with this name exists: {value}",
        "pin_in_use": "Another operator uses this PIN: choose another",
        "unknown_operator": "No such operator: {value}",
        "not_your_building": "Not allowed to see building {building}",
        "role_too_low": "This needs the {role} role",
        "wrong_pin": "Wrong PIN, or not allowed",
        "pin_locked": "Too many wrong PINs: locked until {until}",
        "operator_added": "Added operator {name} ({role})",
        "no_operators": "No operators yet: add one with kiosk operator add",
        "exported": "Exported {count} events to {path}",
        "cards_printed": "Wrote {count} cards ({pages} pages) to {path}",
        "no_cards": "No active cards to print",
        "no_font": "No Chinese font found: install fonts-wqy-microhei or fonts-noto-cjk",
        "cannot_write": "Cannot write file {path}: {error}",
        "bad_format": "Unsupported export format: {value} (csv, xlsx or pdf)",
        "purge_unsynced": "{count} events before {date} are not synced yet; nothing was deleted. "
                          "Add --force to delete them anyway",
        "purged": "Deleted {count} synced events before {date}",
        "cancelled": "Cancelled: no file was written",
    },
}


def cli_message(key: str, lang: str, **fields: object) -> str:
    return CLI[lang if lang in CLI else "zh"][key].format(**fields)


# Roster import: one sentence per kind of bad row or bad file.
ROSTER = {
    "zh": {
        "roster_format": "不支持的文件格式或文件已损坏（{value}），请用 CSV 或 XLSX",
        "roster_encoding": "文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV",
        "roster_empty": "文件中没有任何住户",
        "roster_missing_column": "缺少必需的列：{value}（楼栋、单元、房号）",
        "roster_too_large": "文件超过 {value} 行，请分批导入",
        "roster_duplicate": "房间重复：{value}",
        "roster_exists": "该房间已登记：{value}",
        "roster_formula": "单元格含公式或特殊开头字符：{value}",
        "roster_no_building": "缺少楼栋",
        "roster_no_unit": "缺少单元",
        "roster_no_room": "缺少房号",
        "roster_bad_building": "楼栋无效：{value}",
        "roster_bad_unit": "单元无效：{value}",
        "roster_bad_room": "房号无效：{value}",
        "roster_bad_phone": "电话无效：{value}",
        "roster_bad_members": "人数应为 1 到 30 的整数：{value}",
        "roster_bad_head": "户主姓名过长：{value}",
        "line": "第{line}行：{message}",
    },
    "en": {
        "roster_format": "Unsupported or damaged file ({value}): use CSV or XLSX",
        "roster_encoding": "Unknown text encoding: save the CSV as UTF-8 or GBK",
        "roster_empty": "The file holds no households",
        "roster_missing_column": "Missing required columns: {value} (building, unit, room)",
        "roster_too_large": "More than {value} rows: import in parts",
        "roster_duplicate": "Flat listed twice: {value}",
        "roster_exists": "Flat already registered: {value}",
        "roster_formula": "Cell holds a formula or starts with a special character: {value}",
        "roster_no_building": "building is missing",
        "roster_no_unit": "unit is missing",
        "roster_no_room": "room is missing",
        "roster_bad_building": "building is not valid: {value}",
        "roster_bad_unit": "unit is not valid: {value}",
        "roster_bad_room": "room is not valid: {value}",
        "roster_bad_phone": "phone is not valid: {value}",
        "roster_bad_members": "members must be a whole number from 1 to 30: {value}",
        "roster_bad_head": "head's name is too long: {value}",
        "line": "line {line}: {message}",
    },
}


def roster_message(key: str, lang: str, **fields: object) -> str:
    return ROSTER[lang if lang in ROSTER else "zh"][key].format(**fields)
