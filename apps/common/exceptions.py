"""Domain errors raised by services; mapped to HTTP by the API exception handler and to messages in pages."""


class DomainError(Exception):
    code = "domain_error"
    status_code = 400
    default_message = "操作无法完成"

    def __init__(self, message: str | None = None, *, fields: dict | None = None, code: str | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(self.message)


class ValidationFailed(DomainError):
    code = "invalid"
    status_code = 400
    default_message = "提交的数据有误"


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status_code = 409
    default_message = "当前状态不允许此操作"


class Conflict(DomainError):
    code = "conflict"
    status_code = 409
    default_message = "数据已被他人修改或操作重复，请刷新后重试"


class OutOfScope(DomainError):
    code = "not_found"
    status_code = 404
    default_message = "未找到该记录"


class PreconditionFailed(DomainError):
    code = "precondition_failed"
    status_code = 412
    default_message = "数据已被修改（ETag 不匹配），请重新获取后再提交"
