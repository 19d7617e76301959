// Warnings on the corpus's clean code that a person read and judged to be true bugs in that public code, so the
// benchmark does not count them as false warnings. Each entry names the file, the finding's code, a piece of the
// source line it is reported on (robust to the line moving) and why it is true. Keep this list short and honest:
// a warning belongs here only when the code really has the bug.

export const JUDGED_TRUE = [
  // { repo: 'owner/name', path: 'dir/file.py', code: 'MT003', line: 'with torch.no_grad():', reason: '…' },
];

/** The judged-true entry a warning matches, if any. */
export function judgedTrue(repo, path, code, sourceLine) {
  return JUDGED_TRUE.find((j) => j.repo === repo && j.path === path && j.code === code && sourceLine.includes(j.line));
}
