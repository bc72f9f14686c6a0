"""Built-in job handlers: ``common.selftest`` walks through a few steps reporting progress (used by the
real-worker test and to demonstrate the job page). Its result names the process that ran it."""

import os
import time

from .job_registry import job_handler


@job_handler("common.selftest", label="系统自检")
def selftest(job, progress):
    steps = max(1, min(int(job.payload.get("steps", 4)), 20))
    delay = max(0.0, min(float(job.payload.get("delay", 0.2)), 2.0))
    progress(0, "开始自检")
    for i in range(1, steps + 1):
        time.sleep(delay)
        progress(i * 100 // steps, f"自检第 {i}/{steps} 步")
    return {"steps": steps, "ok": True, "pid": os.getpid()}
