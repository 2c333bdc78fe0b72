# family: 14
# expect: PermissionError
# types.CodeType with arbitrary bytecode.
import types
c = (lambda: 0).__code__
types.CodeType(c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals, c.co_stacksize, c.co_flags,
               b'\x64\xff\x53\x00', c.co_consts, c.co_names, c.co_varnames, c.co_filename, c.co_name, c.co_qualname,
               c.co_firstlineno, c.co_linetable, c.co_exceptiontable)
