# family: 10
# expect: ModuleNotFoundError | PermissionError
# asyncio.create_subprocess_exec.
import asyncio
async def main():
    process = await asyncio.create_subprocess_exec('/usr/bin/touch', '__HOST_ROOT__/pwned')
    await process.wait()
asyncio.run(main())
