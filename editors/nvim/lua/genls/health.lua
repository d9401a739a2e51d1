-- :checkhealth genls
local lsp = require("genls.lsp")

local M = {}

local health = vim.health
local STATUS_TIMEOUT_MS = 5000
local VERSION_TIMEOUT_MS = 10000

--- The command that prints genls's version.
local function version_cmd(cmd)
  return require("genls.commands").genls_cli(cmd, { "--version" })
end

local function check_executable(cmd)
  local exe = cmd[1]
  if type(exe) ~= "string" or vim.fn.executable(exe) ~= 1 then
    health.error(("`%s` is not executable"):format(tostring(exe)), {
      "Install genls (`pip install genls`) or point `cmd` in require('genls').setup() at it",
    })
    return false
  end
  health.ok(("`%s` found: %s"):format(exe, vim.fn.exepath(exe)))
  local version_args = version_cmd(cmd)
  local ok, result = pcall(function()
    return vim.system(version_args, { text = true }):wait(VERSION_TIMEOUT_MS)
  end)
  local output = ok and vim.trim((result.stdout or "") .. (result.stderr or "")) or ""
  if ok and result.code == 0 and output:match("^genls") then
    health.ok("version: " .. output)
  else
    health.warn(("`%s` did not print a genls version: %s"):format(
      table.concat(version_args, " "), ok and output or tostring(result)))
  end
  return true
end

--- The buffer the user ran :checkhealth from: checkhealth has already switched to its own.
local function user_buffer()
  local current = vim.api.nvim_get_current_buf()
  if vim.bo[current].buftype == "" and vim.api.nvim_buf_get_name(current) ~= "health://" then
    return current
  end
  local alternate = vim.fn.bufnr("#")
  return alternate > 0 and alternate or current
end

local function check_client()
  local bufnr = user_buffer()
  local client = lsp.client(bufnr)
  if not client then
    local others = #vim.lsp.get_clients({ name = lsp.NAME })
    local where = others > 0 and ("%d genls client(s) run for other buffers"):format(others)
      or "no genls client runs"
    health.warn(("not attached to buffer %d (%s); %s"):format(
      bufnr, vim.api.nvim_buf_get_name(bufnr), where), {
      "Open a file of one of the configured filetypes",
      "See :LspLog (or :lua vim.cmd.edit(vim.lsp.get_log_path())) for server errors",
    })
    return
  end
  health.ok(("attached to buffer %d (client %d, root %s)"):format(
    bufnr, client.id, tostring(client.root_dir or client.config.root_dir)))
  local response = lsp.request_sync(client, "workspace/executeCommand",
    { command = "genls.status", arguments = {} }, STATUS_TIMEOUT_MS, bufnr)
  if not response then
    health.warn(("genls.status did not answer within %d ms (model still loading?)"):format(
      STATUS_TIMEOUT_MS))
  elseif response.err then
    health.error("genls.status failed: " .. tostring(response.err.message))
  else
    local status = response.result or {}
    local model = status.settings and status.settings.model or "?"
    local loaded = status.model ~= nil and status.model ~= vim.NIL
      and (" (%s)"):format(status.model) or " (loads on the first completion)"
    health.ok(("server %s, model %s%s"):format(status.version or "?", model, loaded))
  end
  if require("genls.next_edit").unsupported(client) then
    health.warn("this genls server has no genls/nextEdit: no next edits (update genls)")
  end
end

local function check_next_edit(config)
  local opts = config.next_edit
  if opts == false or (type(opts) == "table" and opts.enabled == false) then
    health.ok("next edits: off (next_edit.enabled = false)")
    return
  end
  opts = type(opts) == "table" and opts or {}
  local keys = config.keymaps or {}
  health.ok(("next edits: asked %s ms after an edit, previewed within %s lines; accept %s, "
    .. "dismiss %s (normal mode)"):format(tostring(opts.delay_ms), tostring(opts.near_lines),
    tostring(keys.accept), tostring(keys.dismiss_next_edit)))
end

function M.check()
  health.start("genls")
  if vim.fn.has("nvim-0.10") == 0 then
    health.error("Neovim 0.10 or newer is required")
    return
  end
  local genls = require("genls")
  if not genls.config then
    health.warn("require('genls').setup() has not run; checking the default options")
  end
  local config = genls.config or genls.defaults
  local ghost = genls.ghost_mode()
  health.ok(("Neovim %s, ghost text: %s"):format(tostring(vim.version()), ghost))
  if ghost ~= "off" then
    local keys = config.keymaps or {}
    if keys.accept then
      health.ok(("keys: accept %s, word %s, line %s, next %s"):format(
        keys.accept, tostring(keys.accept_word), tostring(keys.accept_line), tostring(keys.next)))
    else
      health.warn("keymaps.accept is off: nothing accepts a suggestion", {
        ghost == "native" and "map vim.lsp.inline_completion.get() in insert mode"
          or "map require('genls.ghost').accept() in insert mode",
      })
    end
  end
  check_next_edit(config)
  if check_executable(config.cmd) then
    check_client()
  end
end

return M
