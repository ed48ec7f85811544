"""The auditor's search form over the audit log (its page and its export share it)."""

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput

#: common action prefixes, for the select (any prefix may be typed in the API)
ACTION_CHOICES = [
    ("", "全部操作"),
    ("accounts.login", "登录"),
    ("accounts.logout", "退出"),
    ("accounts.user", "账号（新建、锁定、停用）"),
    ("accounts.grant", "角色授权与撤销"),
    ("accounts.password", "密码修改与重置"),
    ("accounts.otp", "两步验证"),
    ("accounts.token", "接口令牌"),
    ("orgs.", "组织"),
    ("members.member", "党员信息"),
    ("members.import", "名册导入"),
    ("members.transfer", "组织关系转接"),
    ("members.roster.exported", "名册导出"),
    ("core.audit", "审计日志查阅与导出"),
    ("core.export", "导出文件下载"),
    ("api.", "接口（含频率限制）"),
    ("responsibility.duty", "责任清单"),
    ("responsibility.work_point", "工作要点"),
    ("responsibility.task", "任务（分派、登记、进展、办结）"),
    ("responsibility.supervision", "督办与升级"),
    ("cocreation.", "共同缔造"),
]


class PrefixChoiceField(forms.ChoiceField):
    """A select of the common prefixes that also takes any other action-code prefix typed in
    the address (e.g. ?action=orgs.org.updated)."""

    def valid_value(self, value):
        return len(value) <= 100 and all(c.isalnum() or c in "._" for c in value)


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="操作人或对象", required=False, max_length=100)
    action = PrefixChoiceField(label="操作", required=False, choices=ACTION_CHOICES)
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput())
    ip = forms.GenericIPAddressField(label="来源地址", required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments (valid fields only)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "action": data.get("action") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "ip": data.get("ip") or "",
        }


#: Chinese names of the action codes the auditor meets most (docs/conventions.md lists all);
#: an unknown code is shown as it is
ACTION_LABELS = {
    "accounts.login.succeeded": "登录成功",
    "accounts.login.failed": "登录失败",
    "accounts.login.refused_locked": "账号锁定期间尝试登录",
    "accounts.login.refused_address": "地址失败过多被拒绝登录",
    "accounts.logout.succeeded": "退出登录",
    "accounts.user.created": "新建账号",
    "accounts.user.updated": "修改账号",
    "accounts.user.locked": "账号被锁定",
    "accounts.user.unlocked": "解除锁定",
    "accounts.user.disabled": "停用账号",
    "accounts.user.enabled": "启用账号",
    "accounts.grant.created": "授予角色",
    "accounts.grant.revoked": "撤销角色",
    "accounts.password.changed": "修改密码",
    "accounts.password.reset": "重置密码",
    "accounts.password.failed": "修改密码时原密码错误",
    "accounts.otp.enrolment_started": "开始绑定两步验证",
    "accounts.otp.enrolled": "绑定两步验证",
    "accounts.otp.removed": "解除两步验证",
    "accounts.otp.reset": "重置两步验证",
    "accounts.otp.failed": "两步验证码错误",
    "accounts.token.created": "签发接口令牌",
    "orgs.org.created": "新建组织",
    "orgs.org.updated": "修改组织",
    "orgs.org.moved": "调整隶属关系",
    "orgs.org.dissolved": "撤销组织",
    "orgs.term.elected": "登记换届",
    "orgs.seat.assigned": "任命委员",
    "orgs.seat.ended": "委员离任",
    "members.member.created": "新增党员",
    "members.member.updated": "修改党员信息",
    "members.member.revealed": "查看敏感信息",
    "members.member.left": "党员减少",
    "members.member.imported": "导入党员",
    "members.import.uploaded": "上传名册",
    "members.import.confirmed": "确认导入",
    "members.import.completed": "导入完成",
    "members.import.report_downloaded": "下载问题标注文件",
    "members.transfer.started": "发起组织关系转接",
    "members.transfer.accepted": "接收组织关系",
    "members.transfer.returned": "退回组织关系",
    "members.transfer.cancelled": "撤回组织关系转接",
    "members.roster.exported": "导出党员名册",
    "members.member_form.exported": "导出党员信息采集表",
    "members.statistics.exported": "下载党内统计",
    "core.export.downloaded": "下载导出文件",
    "core.audit.exported": "导出审计日志",
    "api.rate_limited": "接口请求过于频繁",
    "demo.city.built": "生成演示数据",
    "core.calendar.set": "设置节假日/调休",
    "core.calendar.deleted": "删除节假日调整",
    "dues.base.set": "设置党费缴纳基数",
    "dues.base.replaced": "修改党费缴纳基数",
    "dues.charge.recomputed": "重算党费应缴",
    "dues.charges.generated": "生成党费应缴",
    "dues.run.started": "开始生成党费应缴",
    "dues.payment.recorded": "登记党费缴纳",
    "dues.payment.voided": "作废党费缴纳记录",
    "dues.reduction.requested": "申请党费减免",
    "dues.reduction.approved": "批准党费减免",
    "dues.reduction.rejected": "不批准党费减免",
    "dues.reduction.ended": "终止党费减免",
    "dues.reduction.withdrawn": "撤回党费减免申请",
    "dues.statement.imported": "导入对账单",
    "dues.statement.confirmed": "对账单确认入账",
    "dues.statement.discarded": "作废对账单",
    "dues.statement_line.resolved": "对账明细手工匹配",
    "dues.statement_line.ignored": "对账明细不入账",
    "recruitment.candidate.created": "登记入党申请",
    "recruitment.candidate.updated": "修改发展对象档案",
    "recruitment.candidate.withdrawn": "终止培养",
    "recruitment.step.recorded": "登记发展步骤",
    "recruitment.step.corrected": "更正发展步骤",
    "recruitment.step.deleted": "删除发展步骤",
    "recruitment.document.generated": "生成发展党员文书",
    "recruitment.document.downloaded": "下载发展党员材料",
    "study.plan.created": "制定学习计划",
    "study.plan.updated": "修改学习计划",
    "study.plan_item.added": "增加学习计划条目",
    "study.plan_item.deleted": "删除学习计划条目",
    "study.session.created": "安排学习培训",
    "study.session.attached": "将会议计为学习培训",
    "study.session.updated": "修改学习培训",
    "study.training.submitted": "提交参加培训",
    "study.training.recorded": "登记参加培训",
    "study.training.approved": "认定培训学时",
    "study.training.rejected": "不认定培训学时",
    "study.training.revoked": "撤销培训学时认定",
    "study.training.proof_downloaded": "下载培训证明",
    "study.exemption.granted": "免除学时要求",
    "study.exemption.revoked": "取消学时免除",
    "study.reminders.created": "发送学时提醒",
    "study.material.created": "发布学习资料",
    "study.material.updated": "修改学习资料",
    "study.material.retired": "停用学习资料",
    "study.assignment.created": "布置必学",
    "study.assignment.updated": "修改必学期限",
    "study.assignment.removed": "取消必学",
    "study.reading.opened": "开始学习资料",
    "study.reading.completed": "学完学习资料",
    "study.bank.created": "创建题库",
    "study.bank.imported": "导入试题",
    "study.question.added": "增加试题",
    "study.question.updated": "修改试题",
    "study.question.retired": "停用试题",
    "study.quiz.created": "发布自测",
    "study.attempt.started": "开始自测",
    "study.attempt.submitted": "提交自测",
    "study.attempt.expired": "自测超时",
    "study.note.submitted": "提交心得体会",
    "study.note.withdrawn": "撤回心得体会",
    "study.point_scheme.saved": "保存积分方案",
    "recruitment.template.uploaded": "上传文书模板",
    "recruitment.template.removed": "删除文书模板",
    "responsibility.duty_list.created": "建立责任清单",
    "responsibility.duty_list.updated": "修改责任清单",
    "responsibility.duty_list.deleted": "删除责任清单草稿",
    "responsibility.duty_list.confirmed": "确认发布责任清单",
    "responsibility.duty_list.copied": "复制责任清单",
    "responsibility.duty_item.added": "添加责任事项",
    "responsibility.duty_item.updated": "修改责任事项",
    "responsibility.duty_item.deleted": "删除责任事项",
    "responsibility.duty_report.submitted": "报告责任落实进展",
    "responsibility.duty_report.updated": "更新责任落实进展",
    "responsibility.duty_file.downloaded": "下载责任落实佐证材料",
    "responsibility.duty_reminders.created": "生成责任清单报告提醒",
    "responsibility.duty_list.exported": "导出责任清单",
    "responsibility.duty_list_doc.exported": "导出责任清单（Word）",
    "responsibility.duty_overview.exported": "导出各单位责任清单落实情况",
    "responsibility.overview.exported": "导出责任落实总览",
    "responsibility.work_point.created": "新建工作要点",
    "responsibility.work_point.updated": "修改工作要点",
    "responsibility.work_point.published": "发布工作要点",
    "responsibility.task.assigned": "分派任务",
    "responsibility.task.created": "登记本单位任务",
    "responsibility.task.reported": "报告任务进展",
    "responsibility.task.closed": "办结任务",
    "responsibility.supervision.sent": "发出督办",
    "responsibility.supervision.escalated": "督办升级",
    "responsibility.reminders.created": "生成任务提醒",
    "responsibility.point_tasks.exported": "导出工作要点任务完成情况",
    "responsibility.overdue_tasks.exported": "导出逾期任务清单",
    "responsibility.unit_plan.exported": "导出单位年度工作计划",
    "cocreation.community.created": "登记村（社区）",
    "cocreation.community.updated": "修改村（社区）",
    "cocreation.pairing.created": "登记包联关系",
    "cocreation.pairing.updated": "修改包联关系",
    "cocreation.pairing.ended": "结束包联关系",
    "cocreation.cadre.added": "添加包联干部",
    "cocreation.cadre.ended": "包联干部离任",
    "cocreation.project.created": "登记实事项目",
    "cocreation.project.updated": "修改实事项目",
    "cocreation.metric.added": "添加目标指标",
    "cocreation.metric.updated": "修改目标指标",
    "cocreation.milestone.added": "添加项目节点",
    "cocreation.milestone.done": "项目节点完成",
    "cocreation.photo.added": "上传共同缔造照片",
    "cocreation.photo.removed": "删除共同缔造照片",
    "cocreation.feedback.added": "登记群众反馈",
    "cocreation.feedback.replied": "回复群众反馈",
    "cocreation.campaign.created": "登记专项行动",
    "cocreation.campaign.updated": "修改专项行动",
    "cocreation.visit.recorded": "登记走访",
    "cocreation.problem.added": "登记群众问题",
    "cocreation.problem.updated": "办理群众问题",
    "cocreation.reminders.created": "生成群众问题办理提醒",
    "cocreation.pairings.exported": "导出包联关系及包联干部",
    "cocreation.projects.exported": "导出实事项目",
    "cocreation.problems.exported": "导出群众问题台账",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, "")
