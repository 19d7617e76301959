-- Run by test/nvim/run.mjs in `nvim --headless --clean`: loads editors/nvim/model-audit.lua the way a user would,
-- opens a sample, waits (polling, with a timeout) for the server's diagnostics and writes them, one per line, as
-- `line:col: severity CODE message` to stdout, then a verdict line. Exits 0 when every expected code arrived.
-- Environment: MODEL_AUDIT_REPO (the checkout), MODEL_AUDIT_FILE (file to open), MODEL_AUDIT_EXPECT (comma-separated
-- codes), MODEL_AUDIT_TIMEOUT_MS.
local repo = os.getenv('MODEL_AUDIT_REPO')
local file = os.getenv('MODEL_AUDIT_FILE')
local expect = vim.split(os.getenv('MODEL_AUDIT_EXPECT') or '', ',', { trimempty = true })
local timeout = tonumber(os.getenv('MODEL_AUDIT_TIMEOUT_MS') or '60000')

local function out(line) io.stdout:write(line .. '\n') end

package.path = repo .. '/editors/nvim/?.lua;' .. package.path
vim.cmd('filetype on')
require('model-audit').setup({ cmd = { 'node', repo .. '/dist/cli.js', 'lsp', '--stdio' } })

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
out('filetype: ' .. vim.bo[bufnr].filetype)

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function codes()
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do seen[tostring(code_of(d))] = true end
  return seen
end

local function attached()
  local buf_clients = vim.lsp.get_active_clients and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_clients({ bufnr = bufnr })
  return next(buf_clients) ~= nil
end

-- With no expected codes, the check is that the server attached to the buffer at all.
local function all_expected()
  if not attached() then return false end
  local seen = codes()
  for _, code in ipairs(expect) do
    if not seen[code] then return false end
  end
  return true
end

local ok = vim.wait(timeout, all_expected, 200)
local clients = vim.lsp.get_active_clients and vim.lsp.get_active_clients() or vim.lsp.get_clients()
out('clients: ' .. #clients .. ', attached to this buffer: ' .. tostring(attached()))

local severities = { 'error', 'warning', 'information', 'hint' }
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  out(string.format('%s:%d:%d: %s %s %s', vim.fn.fnamemodify(file, ':t'), d.lnum + 1, d.col + 1,
    severities[d.severity] or tostring(d.severity), tostring(code_of(d)), (d.message:gsub('\n', ' '))))
end

if ok then
  out('nvim: got ' .. (#expect > 0 and table.concat(expect, ', ') or 'the server attached'))
  vim.cmd('qall!')
else
  out('nvim: timed out after ' .. timeout .. ' ms waiting for ' .. (#expect > 0 and table.concat(expect, ', ') or 'the server to attach'))
  vim.cmd('cquit 1')
end
