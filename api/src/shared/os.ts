/** Whether a process with this id is running: EPERM means it is, only under another user (PostgreSQL as `postgres`). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
