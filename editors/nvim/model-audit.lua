-- Model Audit for Neovim: starts `model-audit lsp --stdio` for Python and Model Spec (.mspec) buffers, so the
-- diagnostics (MA001 linear collapse, ...), hovers with each model's equation, code lenses and quick fixes show up in
-- Neovim's built-in LSP client. No plugin manager and no nvim-lspconfig needed; works on Neovim 0.7 (Debian 12)
-- and newer.
--
-- Use: copy this file to ~/.config/nvim/lua/model-audit.lua and add to init.lua
--
--   require('model-audit').setup()
--
-- Options (all optional):
--   cmd        the server command (default { 'model-audit', 'lsp', '--stdio' }; for a checkout of the repository,
--              { 'node', '/path/to/model-audit/dist/cli.js', 'lsp', '--stdio' })
--   filetypes  buffers to attach to (default { 'python', 'mspec' }; add 'javascript', 'typescript' for TF.js)
--   settings   the `modelAudit` settings the server asks for, as in VS Code (default {})
--   codelens   refresh code lenses (the equations) on open and save (default true)
local M = {}

local defaults = {
  cmd = { 'model-audit', 'lsp', '--stdio' },
  filetypes = { 'python', 'mspec' },
  settings = {},
  codelens = true,
}

local root_markers = { '.model-audit.json', 'pyproject.toml', 'setup.py', 'package.json', '.git' }

-- The nearest folder above `path` holding one of the root markers, else the file's own folder.
local function find_root(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(root_markers) do
    local found = vim.fn.findfile(marker, dir .. ';')
    if found == '' then found = vim.fn.finddir(marker, dir .. ';') end
    if found ~= '' then return (vim.fn.fnamemodify(found, ':p:h'):gsub('/%.git$', '')) end
  end
  return dir
end

local function register_mspec_filetype()
  if vim.fn.has('nvim-0.8') == 1 then
    vim.filetype.add({ extension = { mspec = 'mspec' } })
  else
    -- Neovim 0.7 detects filetypes with Vim script unless g:do_filetype_lua is set.
    vim.cmd([[autocmd BufRead,BufNewFile *.mspec setfiletype mspec]])
  end
end

-- Neovim 0.8+ has vim.lsp.start, which reuses a running client with the same name and root. On 0.7 keep one client
-- per root by hand.
local clients_by_root = {}
local function start(config, bufnr)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[config.root_dir]
  if not id or vim.lsp.get_client_by_id(id) == nil or vim.lsp.get_client_by_id(id).is_stopped() then
    id = vim.lsp.start_client(config)
    clients_by_root[config.root_dir] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

function M.setup(opts)
  opts = vim.tbl_deep_extend('force', defaults, opts or {})
  register_mspec_filetype()

  local group = vim.api.nvim_create_augroup('model-audit', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      local name = vim.api.nvim_buf_get_name(args.buf)
      if name == '' then return end
      local root = find_root(name)
      start({
        name = 'model-audit',
        cmd = opts.cmd,
        root_dir = root,
        workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
        settings = { modelAudit = opts.settings },
        on_attach = function(client, bufnr)
          if opts.codelens and client.server_capabilities.codeLensProvider then
            vim.api.nvim_create_autocmd({ 'BufEnter', 'BufWritePost', 'InsertLeave' }, {
              group = group,
              buffer = bufnr,
              callback = function() vim.lsp.codelens.refresh() end,
            })
            vim.lsp.codelens.refresh()
          end
        end,
      }, args.buf)
    end,
  })
end

return M
