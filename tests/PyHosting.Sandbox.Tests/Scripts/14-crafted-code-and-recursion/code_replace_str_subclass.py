# family: 14
# expect: PermissionError
# Metadata must be of the exact type: a str subclass could change between the check and CPython's use.
class S(str):
    pass
c = (lambda: 0).__code__
c.replace(co_name=S('x'), co_code=c.co_code)
