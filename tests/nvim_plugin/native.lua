-- The genls plugin on Neovim 0.12+, where it uses Neovim's own inline completion: the plugin's
-- default set-up starts the server with no message, tells it where the cursor rests, the
-- built-in ghost text appears, and the plugin's <Tab> (mapped on 0.12 too) accepts it.
--
-- Usage: as ghost_text.lua, with a Neovim 0.12 binary (tests/test_nvim_012.py).

local harness = dofile(vim.fs.joinpath(
  vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))

local TIMEOUT_MS = 60000

local t = harness.new({ name = "native.lua", total_timeout_ms = 200000 })
local report = t.report
local finish, step, wait_for = t.finish, t.step, t.wait_for

local type_keys, line = t.type_keys, t.line

local function run()
  vim.opt.rtp:prepend(t.plugin_dir)
  t.capture_notifications()
  local genls = require("genls")
  local lsp = require("genls.lsp")
  -- The documented default set-up: no settings (an empty table reaches the server as
  -- `"genls": []`), so the default model.
  genls.setup({ cmd = { t.python, "-m", "genls", "serve" } })
  report.ghost_mode = genls.ghost_mode()

  step("attach")
  vim.cmd.edit(vim.fn.fnameescape(t.file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python" -- -u NONE: no filetype detection
  local client = wait_for(function()
    return lsp.client(bufnr)
  end, TIMEOUT_MS, "the genls client did not attach")

  step("cursor rest")
  t.rest_cursor(client, bufnr, "4Gf(", TIMEOUT_MS)

  step("ghost text")
  vim.cmd("normal! G")
  report.old_line = line()
  type_keys("A")
  report.ghost_text = t.builtin_ghost_text(bufnr, TIMEOUT_MS)

  step("accept word")
  -- The plugin's <C-Right> takes the suggestion's next word only, through on_accept.
  report.expected_word = require("genls.suggestion_text").next_word(report.ghost_text)
  type_keys("<C-Right>")
  wait_for(function()
    return line() ~= report.old_line
  end, TIMEOUT_MS, "<C-Right> did not accept a word")
  report.word_line = line()

  step("accept")
  -- Neovim asks again after the edit; <Tab> takes the whole of the new suggestion.
  local after_word = line()
  t.builtin_ghost_text(bufnr, TIMEOUT_MS, "no built-in ghost text after the accepted word")
  report.old_line = after_word
  type_keys("<Tab>")
  wait_for(function()
    return line() ~= report.old_line
  end, TIMEOUT_MS, "<Tab> did not accept the suggestion")
  report.accepted_line = line()
  report.mode = vim.api.nvim_get_mode().mode

  step("health")
  vim.cmd("checkhealth genls")
  report.health_lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  finish(0)
end

t.start(run)
