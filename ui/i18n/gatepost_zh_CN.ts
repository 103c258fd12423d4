<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdminWindow</name>
    <message>
        <source>building lead</source>
        <translation>楼栋长</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>volunteer</source>
        <translation>志愿者</translation>
    </message>
    <message>
        <source>Admin: {name} ({role})</source>
        <translation>管理：{name}（{role}）</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>出入记录</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>异常事件</translation>
    </message>
    <message>
        <source>Out now</source>
        <translation>当前外出</translation>
    </message>
    <message>
        <source>Parcels at the gate</source>
        <translation>门口待领物资</translation>
    </message>
    <message>
        <source>Households and cards</source>
        <translation>住户与卡片</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>操作日志</translation>
    </message>
</context>
<context>
    <name>CameraPreview</name>
    <message>
        <source>No camera. Use the hand scanner or type the card number.</source>
        <translation>未连接摄像头。请用扫码枪，或手动输入卡号。</translation>
    </message>
    <message>
        <source>Camera off. Use the hand scanner or type the card number.</source>
        <translation>摄像头未开启。请用扫码枪，或手动输入卡号。</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>正在打开摄像头……</translation>
    </message>
    <message>
        <source>Hold the QR code inside the frame</source>
        <translation>请把二维码放在框内</translation>
    </message>
</context>
<context>
    <name>DirectionSwitch</name>
    <message>
        <source>⬆ OUT</source>
        <translation>⬆ 出</translation>
    </message>
    <message>
        <source>⬇ IN</source>
        <translation>⬇ 进</translation>
    </message>
</context>
<context>
    <name>GateStatusBar</name>
    <message>
        <source>On duty: %1</source>
        <translation>值守：%1</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>无人签到</translation>
    </message>
    <message>
        <source>Out now: %1</source>
        <translation>在外：%1人</translation>
    </message>
    <message>
        <source>Exits today: %1</source>
        <translation>今日外出：%1</translation>
    </message>
    <message>
        <source>Fevers today: %1</source>
        <translation>今日发热：%1</translation>
    </message>
    <message>
        <source>Database error: record on paper</source>
        <translation>数据库故障：请纸质登记</translation>
    </message>
    <message>
        <source>Sync: —</source>
        <translation>同步：—</translation>
    </message>
    <message>
        <source>No office set: %1 to sync</source>
        <translation>未设同步地址：%1条待同步</translation>
    </message>
    <message>
        <source>Sync failed, %1 waiting</source>
        <translation>同步失败，%1条待传</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Not synced: %1</source>
        <translation>待同步：%1条</translation>
    </message>
    <message>
        <source>Roster: local</source>
        <translation>名册：本机</translation>
    </message>
    <message>
        <source>Roster: fresh</source>
        <translation>名册：最新</translation>
    </message>
    <message>
        <source>Roster: %1 h old</source>
        <translation>名册：%1小时前</translation>
    </message>
    <message>
        <source>Roster: %1 days old</source>
        <translation>名册：%1天前</translation>
    </message>
</context>
<context>
    <name>GateWindow</name>
    <message>
        <source>Too many card numbers that name no valid card: typing is paused for %1 s. QR codes scan as usual.</source>
        <translation>输入的卡号多次查无有效卡：手动输入暂停 %1 秒。扫码照常进行。</translation>
    </message>
    <message>
        <source>Urgent medical need</source>
        <translation>紧急就医</translation>
    </message>
    <message>
        <source>Staff on duty</source>
        <translation>值班工作人员</translation>
    </message>
    <message>
        <source>Card misread</source>
        <translation>卡片识读有误</translation>
    </message>
    <message>
        <source>Let through</source>
        <translation>特批放行</translation>
    </message>
    <message>
        <source>Lead&apos;s PIN and the reason for letting this person through</source>
        <translation>请填写放行理由，并由楼栋长输入PIN码</translation>
    </message>
    <message>
        <source>The admin screens are not installed.</source>
        <translation>管理界面尚未安装。</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>管理</translation>
    </message>
    <message>
        <source>PIN of a lead or an administrator</source>
        <translation>请输入楼栋长或管理员的PIN码</translation>
    </message>
    <message>
        <source>Leave full screen</source>
        <translation>退出全屏</translation>
    </message>
    <message>
        <source>Lead&apos;s PIN to leave full screen</source>
        <translation>退出全屏需要楼栋长PIN码</translation>
    </message>
    <message>
        <source>Close the gate</source>
        <translation>关闭门岗</translation>
    </message>
    <message>
        <source>Lead&apos;s PIN to close the gate screen</source>
        <translation>关闭门岗界面需要楼栋长PIN码</translation>
    </message>
    <message>
        <source>%1 · Gate</source>
        <translation>%1 · 门岗</translation>
    </message>
    <message>
        <source>Gate</source>
        <translation>门岗</translation>
    </message>
    <message>
        <source>中文</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>开声音</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Sign out / change</source>
        <translation>签退/换人</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Card does not scan? Type its number:</source>
        <translation>扫不出？手动输入卡号：</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>查验</translation>
    </message>
    <message>
        <source>Hide keys</source>
        <translation>收起键盘</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>键盘</translation>
    </message>
</context>
<context>
    <name>GatesTab</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备号</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>最近同步</translation>
    </message>
    <message>
        <source>Events held</source>
        <translation>已收记录</translation>
    </message>
    <message>
        <source>Events today</source>
        <translation>今日记录</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>{count} gates</source>
        <translation>共 {count} 个出入口</translation>
    </message>
</context>
<context>
    <name>HourlyChart</name>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
</context>
<context>
    <name>IncidentsTab</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>en</source>
        <translation>zh</translation>
    </message>
</context>
<context>
    <name>LogTab</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Building</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>The log could not be read: {error}</source>
        <translation>无法读取记录：{error}</translation>
    </message>
    <message>
        <source>{count} rows</source>
        <translation>共 {count} 条</translation>
    </message>
    <message>
        <source>{scans} scans, {exits} out, {entries} in, {denials} denied, {slips} action needed (slips), {retests} retests</source>
        <translation>扫码{scans}次，外出{exits}，进入{entries}，拒绝{denials}，需处理{slips}（操作疏漏），复测{retests}</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Exported {count} rows to {path}</source>
        <translation>已导出 {count} 条到 {path}</translation>
    </message>
    <message>
        <source>Export cancelled: no file written</source>
        <translation>已取消导出，未写入文件</translation>
    </message>
    <message>
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
</context>
<context>
    <name>MaskCheck</name>
    <message>
        <source>Mask worn?</source>
        <translation>是否佩戴口罩？</translation>
    </message>
    <message>
        <source>Mask on</source>
        <translation>戴口罩</translation>
    </message>
    <message>
        <source>No mask</source>
        <translation>未戴</translation>
    </message>
    <message>
        <source>Exempt</source>
        <translation>免戴</translation>
    </message>
</context>
<context>
    <name>NamePicker</name>
    <message>
        <source>Who is on duty? Tap your name</source>
        <translation>谁在值守？请点您的名字</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>暂不签到</translation>
    </message>
</context>
<context>
    <name>OfficeApp</name>
    <message>
        <source>Community office</source>
        <translation>社区办公室</translation>
    </message>
    <message>
        <source>PIN of an office administrator</source>
        <translation>社区办管理员的PIN</translation>
    </message>
</context>
<context>
    <name>OfficeRosterTab</name>
    <message>
        <source>Building</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Life card to every household without one</source>
        <translation>为无卡住户发生活卡</translation>
    </message>
    <message>
        <source>Print new cards…</source>
        <translation>打印新卡…</translation>
    </message>
    <message>
        <source>Not done: {error}</source>
        <translation>未完成：{error}</translation>
    </message>
</context>
<context>
    <name>OfficeWindow</name>
    <message>
        <source>Community office: {name}</source>
        <translation>社区办公室：{name}</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>出入记录</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>异常事件</translation>
    </message>
    <message>
        <source>Households and cards</source>
        <translation>住户与卡片</translation>
    </message>
    <message>
        <source>Operators</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Gates</source>
        <translation>出入口</translation>
    </message>
</context>
<context>
    <name>OperatorsTab</name>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>新PIN</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>building lead</source>
        <translation>楼栋长</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>volunteer</source>
        <translation>志愿者</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Buildings (3,5)</source>
        <translation>楼栋（如 3,5）</translation>
    </message>
    <message>
        <source>PIN (6-8 digits for a lead or an admin)</source>
        <translation>PIN（楼栋长、管理员6-8位）</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Not done: {error}</source>
        <translation>未完成：{error}</translation>
    </message>
    <message>
        <source>Added {name}: they reach the gates at their next sync</source>
        <translation>已添加{name}：各出入口下次同步后生效</translation>
    </message>
    <message>
        <source>Select an operator first</source>
        <translation>请先选择操作员</translation>
    </message>
    <message>
        <source>New PIN for {name}</source>
        <translation>已为{name}设置新PIN</translation>
    </message>
    <message>
        <source>Deactivated {name}</source>
        <translation>已停用{name}</translation>
    </message>
</context>
<context>
    <name>OutNowTab</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>{count} out now</source>
        <translation>当前外出 {count} 人</translation>
    </message>
</context>
<context>
    <name>ParcelsTab</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>%1 parcels waiting at the gate</source>
        <translation>门口待领物资 %1 件</translation>
    </message>
    <message>
        <source>Collected</source>
        <translation>已领取</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation>未完成：%1</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Reason (required)</source>
        <translation>放行理由（必填）</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Write the reason first</source>
        <translation>请先填写理由</translation>
    </message>
    <message>
        <source>Enter the PIN</source>
        <translation>请输入PIN码</translation>
    </message>
    <message>
        <source>Wrong PIN</source>
        <translation>PIN码错误</translation>
    </message>
    <message>
        <source>Too many wrong PINs: try again after %1</source>
        <translation>PIN码错误次数过多，请在%1后再试</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Flat: %1</source>
        <translation>房号：%1</translation>
    </message>
    <message>
        <source>Flat (optional; a delivery needs one)</source>
        <translation>房号（可不选；物资送达须选）</translation>
    </message>
    <message>
        <source>No pass card</source>
        <translation>无出入证</translation>
    </message>
    <message>
        <source>Visiting a relative</source>
        <translation>探亲访友</translation>
    </message>
    <message>
        <source>Courier</source>
        <translation>快递外卖</translation>
    </message>
    <message>
        <source>Cough</source>
        <translation>咳嗽</translation>
    </message>
    <message>
        <source>Weak, tired</source>
        <translation>乏力</translation>
    </message>
    <message>
        <source>Short of breath</source>
        <translation>呼吸困难</translation>
    </message>
    <message>
        <source>Would not be measured</source>
        <translation>拒绝测量体温</translation>
    </message>
    <message>
        <source>Long queue</source>
        <translation>排队人多</translation>
    </message>
    <message>
        <source>Crowd dispersed</source>
        <translation>聚集已劝散</translation>
    </message>
    <message>
        <source>Vegetables</source>
        <translation>蔬菜</translation>
    </message>
    <message>
        <source>Medicine</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Parcel</source>
        <translation>快递包裹</translation>
    </message>
    <message>
        <source>Not recorded: record on paper</source>
        <translation>未能记录：请纸质登记</translation>
    </message>
    <message>
        <source>A program error: record on paper and tell the office</source>
        <translation>程序出错：请纸质登记并告知社区办公室</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Outsider refused: record now</source>
        <translation>外来人员劝返：立即记录</translation>
    </message>
    <message>
        <source>Outsider refused</source>
        <translation>外来人员劝返</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>有症状</translation>
    </message>
    <message>
        <source>Refused a reading</source>
        <translation>拒绝测温</translation>
    </message>
    <message>
        <source>Crowding</source>
        <translation>门口聚集</translation>
    </message>
    <message>
        <source>Delivery for a flat</source>
        <translation>物资送达</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>How many people</source>
        <translation>人数</translation>
    </message>
    <message>
        <source>No flat</source>
        <translation>不选房号</translation>
    </message>
    <message>
        <source>A few words (no names, no ID numbers)</source>
        <translation>简要说明（不写姓名、证件号）</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RetestQueueModel</name>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>Retest now</source>
        <translation>现在复测</translation>
    </message>
    <message>
        <source>Flat</source>
        <translation>房号</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>First</source>
        <translation>首测</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余</translation>
    </message>
</context>
<context>
    <name>RetestQueueView</name>
    <message>
        <source>Retest now: %1 (card %2)</source>
        <translation>该复测了：%1（卡 %2）</translation>
    </message>
    <message>
        <source>Fever retest queue: %1 waiting</source>
        <translation>发热复测等候：%1人</translation>
    </message>
</context>
<context>
    <name>RosterTab</name>
    <message>
        <source>Issue</source>
        <translation>发卡</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Re-issue</source>
        <translation>补卡</translation>
    </message>
    <message>
        <source>Suspend</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Activate</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Search by flat (3-2-301) or serial</source>
        <translation>按房号（3-2-301）或卡号搜索</translation>
    </message>
    <message>
        <source>Holder&apos;s name</source>
        <translation>持卡人姓名</translation>
    </message>
    <message>
        <source>Select a household first</source>
        <translation>请先选择一户</translation>
    </message>
    <message>
        <source>Select a card first</source>
        <translation>请先选择一张卡</translation>
    </message>
    <message>
        <source>Not done: {error}</source>
        <translation>未完成：{error}</translation>
    </message>
    <message>
        <source>Done: {serial}</source>
        <translation>完成：{serial}</translation>
    </message>
</context>
<context>
    <name>SerialKeyboard</name>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>查验</translation>
    </message>
    <message>
        <source>Erase the last character</source>
        <translation>删去最后一个字符</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Not done: {error}</source>
        <translation>未完成：{error}</translation>
    </message>
    <message>
        <source>Nothing changed</source>
        <translation>没有改动</translation>
    </message>
    <message>
        <source>Saved {count} settings</source>
        <translation>已保存 {count} 项设置</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>%1: your PIN</source>
        <translation>%1：请输入您的PIN码</translation>
    </message>
</context>
<context>
    <name>TemperatureKeypad</name>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>体温</translation>
    </message>
</context>
<context>
    <name>TypedConfirmDialog</name>
    <message>
        <source>Life card</source>
        <translation>生活卡</translation>
    </message>
    <message>
        <source>Work card</source>
        <translation>工作卡</translation>
    </message>
    <message>
        <source>Special card</source>
        <translation>特殊卡</translation>
    </message>
    <message>
        <source>Typed card number</source>
        <translation>手输卡号</translation>
    </message>
    <message>
        <source>Is this the card in hand? Compare the flat and the holder.</source>
        <translation>是手中这张卡吗？请核对房号和持卡人。</translation>
    </message>
    <message>
        <source>Flat %1</source>
        <translation>房号 %1</translation>
    </message>
    <message>
        <source>Holder %1</source>
        <translation>持卡人 %1</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>VerdictPanel</name>
    <message>
        <source>Clears in %1 s</source>
        <translation>%1 秒后自动清除</translation>
    </message>
    <message>
        <source>Scan a card</source>
        <translation>请扫码</translation>
    </message>
    <message>
        <source>GO AHEAD</source>
        <translation>放行</translation>
    </message>
    <message>
        <source>STOP</source>
        <translation>禁止通行</translation>
    </message>
    <message>
        <source>RETEST</source>
        <translation>请复测</translation>
    </message>
    <message>
        <source>Record on paper</source>
        <translation>请纸质登记</translation>
    </message>
    <message>
        <source>Check the input</source>
        <translation>请检查输入</translation>
    </message>
    <message>
        <source>Program error</source>
        <translation>程序出错</translation>
    </message>
    <message>
        <source>Action needed</source>
        <translation>请处理</translation>
    </message>
    <message>
        <source>Choose a reason</source>
        <translation>选择事由</translation>
    </message>
    <message>
        <source>This number is not a card number.</source>
        <translation>输入的不是有效的卡号。</translation>
    </message>
    <message>
        <source>Measure the temperature, then show the QR code to the camera</source>
        <translation>先测体温，再把出入证二维码对准摄像头</translation>
    </message>
    <message>
        <source>The gate could not save this scan. Write it on the paper log and call the administrator.</source>
        <translation>本次扫码未能保存。请在纸质登记表上记录，并联系管理员。</translation>
    </message>
    <message>
        <source>A program error: this scan has no verdict. Call the administrator; the error is saved in a crash report for them.</source>
        <translation>程序出错，本次扫码没有结果。请联系管理员；错误已保存在错误报告中。</translation>
    </message>
    <message>
        <source>(scanned again: already recorded)</source>
        <translation>（重复扫码：已记录过）</translation>
    </message>
    <message>
        <source>Measure the temperature, type it on the keypad, scan again.</source>
        <translation>请测体温，在键盘上输入读数，再扫码。</translation>
    </message>
    <message>
        <source>Measure again, type the new reading, scan again.</source>
        <translation>请重新测量，输入新读数，再扫码。</translation>
    </message>
    <message>
        <source>Set the thermometer to °C, measure again, scan again.</source>
        <translation>请把体温计调到摄氏度，重新测量，再扫码。</translation>
    </message>
    <message>
        <source>Let the person warm up a minute, measure again, scan again.</source>
        <translation>请让来人稍候暖和一下，重新测量，再扫码。</translation>
    </message>
    <message>
        <source>Compare the number with the card, correct it in the field and tap Check again.</source>
        <translation>请对照卡片核对卡号，在输入框中改正后再点“查验”。</translation>
    </message>
    <message>
        <source>Flat %1</source>
        <translation>房号 %1</translation>
    </message>
    <message>
        <source>Holder %1</source>
        <translation>持卡人 %1</translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>Exits this period: %1 of %2</source>
        <translation>本期已外出 %1/%2 次</translation>
    </message>
    <message>
        <source>Lead: let through (PIN)</source>
        <translation>楼栋长特批放行（需PIN）</translation>
    </message>
</context>
</TS>
