-- The README's Neovim 0.12+ set-up without the plugin, as a user pastes it: the built-in
-- client starts genls, the built-in ghost text appears, and the snippet's <Tab> accepts it
-- (and its <C-l> one line of it).
--
-- Usage: as ghost_text.lua, with GENLS_TEST_SNIPPET naming the snippet (tests/test_nvim_012.py
-- writes it from README.md, with the server command and model of the test).

local harness = dofile(vim.fs.joinpath(
  vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))

local TIMEOUT_MS = 60000

local t = harness.new({ name = "builtin.lua", total_timeout_ms = 150000 })
local report, step, wait_for = t.report, t.step, t.wait_for

local function run()
  t.capture_notifications()
  dofile(vim.env.GENLS_TEST_SNIPPET)

  step("attach")
  vim.cmd.edit(vim.fn.fnameescape(t.file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python" -- -u NONE: no filetype detection; vim.lsp.enable starts on it
  wait_for(function()
    return vim.lsp.get_clients({ name = "genls", bufnr = bufnr })[1]
  end, TIMEOUT_MS, "the built-in client did not start genls")

  step("ghost text")
  vim.cmd("normal! G")
  report.old_line = t.line()
  t.type_keys("A")
  report.ghost_text = t.builtin_ghost_text(bufnr, TIMEOUT_MS)

  step("accept")
  t.type_keys("<Tab>")
  wait_for(function()
    return t.line() ~= report.old_line
  end, TIMEOUT_MS, "<Tab> did not accept the suggestion")
  report.accepted_line = t.line()

  step("accept line")
  -- Undo the accept, ask again at the same place (the same suggestion), take one line.
  t.type_keys("<Esc>u")
  wait_for(function()
    return t.line() == report.old_line
  end, TIMEOUT_MS, "u did not undo the accepted suggestion")
  t.type_keys("A")
  report.ghost_again = t.builtin_ghost_text(bufnr, TIMEOUT_MS)
  t.type_keys("<C-l>")
  wait_for(function()
    return t.line() ~= report.old_line
  end, TIMEOUT_MS, "<C-l> did not accept a line")
  report.line_accepted = t.line()
  t.finish(0)
end

t.start(run)
