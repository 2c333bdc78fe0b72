# family: 6
# expect: SyntaxError
# absent: root:
# A SyntaxError for source compiled under a host file name must not quote that file.
try:
    compile('x = (\n', '/etc/passwd', 'exec')
except SyntaxError as e:
    assert 'root' not in (e.text or ''), e.text
    raise
