# family: 13
# expect: ImportError
# ExtensionFileLoader pointed at the C library.
import importlib.machinery as m
loader = m.ExtensionFileLoader('libc', '/lib/x86_64-linux-gnu/libc.so.6')
loader.create_module(m.ModuleSpec('libc', loader, origin='/lib/x86_64-linux-gnu/libc.so.6'))
