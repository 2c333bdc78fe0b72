# family: 14
# expect: PermissionError
# Metadata changes are allowed (types.coroutine needs co_flags); constants the bytecode indexes are not, even beside them.
c = (lambda: 0).__code__
c.replace(co_name='harmless', co_consts=())
