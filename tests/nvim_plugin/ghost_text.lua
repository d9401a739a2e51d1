-- Drives the genls Neovim plugin (editors/nvim) in a real headless Neovim against the real
-- server and model: the server prefills where the cursor rests, ghost text appears while
-- typing, follows typed characters, <Tab> accepts it, the accept command reaches the server,
-- and :checkhealth / :GenlsStatus report.
--
-- Usage (the main loop must run, so insert mode can take keys; hence -S and not -l):
--   GENLS_TEST_FILE=<file.py> GENLS_TEST_PYTHON=<python> GENLS_TEST_REPORT=<out.json> \
--   GENLS_TEST_MODEL=smollm2-135m GENLS_TEST_PLUGIN=<repo>/editors/nvim \
--     nvim --headless --clean -u NONE -S tests/nvim_plugin/ghost_text.lua
--
-- The cursor goes to the end of the file's last line. Writes a JSON report; exits non-zero
-- (with the reason in report.errors and on stderr) on any error or timeout.

local harness = dofile(vim.fs.joinpath(
  vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))

-- The first completion loads the model; later steps are quick.
local ATTACH_TIMEOUT_MS = 60000
local GHOST_TIMEOUT_MS = 60000
local STEP_TIMEOUT_MS = 15000

-- The whole run gets 200 s; a hang anywhere still ends it with a clear message.
local t = harness.new({ name = "ghost_text.lua", total_timeout_ms = 200000 })
local file, python, model, plugin_dir = t.file, t.python, t.model, t.plugin_dir
local report, notifications = t.report, t.notifications
local finish, fail, step, wait_for = t.finish, t.fail, t.step, t.wait_for

local function sleep(ms)
  local started = vim.uv.now()
  wait_for(function()
    return vim.uv.now() - started >= ms
  end, ms + 5000, "sleep")
end

local type_keys, line = t.type_keys, t.line

local function run()
  vim.opt.rtp:prepend(plugin_dir)
  local genls = require("genls")
  local ghost = require("genls.ghost")
  local lsp = require("genls.lsp")

  -- Counting wrappers, not stand-ins: every call still goes to the real server.
  local inline_requests = 0
  local request = lsp.request
  lsp.request = function(client, method, ...)
    if method == "textDocument/inlineCompletion" then
      inline_requests = inline_requests + 1
    end
    return request(client, method, ...)
  end
  local commands = {}
  local exec_cmd = lsp.exec_cmd
  lsp.exec_cmd = function(client, command, bufnr, handler)
    local record = { command = command.command }
    table.insert(commands, record)
    exec_cmd(client, command, bufnr, function(err, result, ...)
      record.answered, record.error = true, err and (err.message or tostring(err)) or nil
      if handler then
        return handler(err, result, ...)
      end
    end)
  end
  -- The id the plugin's FileType autocmd got (get_clients() lists initialized clients only).
  local client_id
  local start = vim.lsp.start
  vim.lsp.start = function(...)
    local id = start(...)
    client_id = client_id or id
    return id
  end
  t.capture_notifications()

  genls.setup({
    cmd = { python, "-m", "genls", "serve" },
    settings = { model = model, maxTokens = 16 },
    ghost_text = "plugin",
    -- Ghost text alone: a next edit shown would take the <Tab> this script expects to fall
    -- back, and its model would compete for the CPU (tests/nvim_plugin/next_edit.lua has both).
    next_edit = false,
  })
  report.ghost_mode = genls.ghost_mode()

  step("attach")
  local attached = false
  vim.api.nvim_create_autocmd("LspAttach", {
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      attached = attached or (client ~= nil and client.name == "genls")
    end,
  })
  vim.cmd.edit(vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  -- -u NONE skips filetype detection; setting it fires the plugin's FileType autocmd.
  vim.bo[bufnr].filetype = "python"
  report.client_started = client_id ~= nil
  if not client_id then
    fail("the plugin's FileType autocmd did not start a genls client")
  end
  local exited = false
  wait_for(function()
    -- A server that dies on startup leaves no client behind; say so instead of waiting.
    exited = vim.lsp.get_client_by_id(client_id) == nil
    return attached or exited
  end, ATTACH_TIMEOUT_MS, "the genls client did not attach")
  if exited then
    fail("the genls server exited during startup; see the LSP log (" .. vim.lsp.get_log_path() .. ")")
  end
  local client = assert(lsp.client(bufnr))
  report.root_dir = client.root_dir or client.config.root_dir

  step("cursor rest")
  -- In normal mode the cursor comes to rest on line 4's `(`: the plugin tells the server
  -- (genls/didMoveCursor), which prefills the prompt there; its status says where it did.
  t.rest_cursor(client, bufnr, "4Gf(", STEP_TIMEOUT_MS)

  step("ghost text")
  vim.cmd("normal! G")
  local old_line = line(bufnr)
  report.old_line = old_line
  -- Entering insert mode is the trigger: the plugin's autocmds send the request.
  type_keys("A")
  local mark
  wait_for(function()
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ghost.ns, 0, -1, { details = true })) do
      if m[4].virt_text then
        mark = m
        return true
      end
    end
    return false
  end, GHOST_TIMEOUT_MS, "no ghost text extmark appeared")
  local chunks = {}
  for _, chunk in ipairs(mark[4].virt_text) do
    table.insert(chunks, chunk[1])
  end
  local shown = table.concat(chunks)
  report.ghost_text = shown
  report.ghost_hl = mark[4].virt_text[1][2]
  report.ghost_pos = mark[4].virt_text_pos
  report.ghost_col = mark[3]
  report.cursor_col = vim.api.nvim_win_get_cursor(0)[2]
  report.plugin_text = ghost.text(bufnr)
  report.mode = vim.api.nvim_get_mode().mode

  step("follow typing")
  local full = ghost.text(bufnr)
  local requests_before = inline_requests
  local typed = ""
  local first = full:sub(1, 1)
  -- Typing the suggestion's next character keeps the rest on screen, without a new request.
  if first:match("^[%w%p ]$") then
    typed = first
    vim.api.nvim_feedkeys(first, "nt", false) -- literally, no mappings
    wait_for(function()
      return line(bufnr) == old_line .. typed
    end, STEP_TIMEOUT_MS, "the typed character did not reach the buffer")
    sleep(300) -- longer than debounce_ms: a new request would have gone out by now
    report.followed = {
      char = first,
      text = ghost.text(bufnr),
      new_requests = inline_requests - requests_before,
    }
  end

  step("accept word")
  local before_word = line(bufnr)
  type_keys("<C-Right>")
  wait_for(function()
    return line(bufnr) ~= before_word
  end, STEP_TIMEOUT_MS, "<C-Right> did not accept a word")
  report.word = {
    inserted = line(bufnr):sub(#before_word + 1),
    visible = ghost.visible(bufnr),
    rest = ghost.text(bufnr),
    new_requests = inline_requests - requests_before,
  }

  step("accept")
  local expected = old_line .. full
  if ghost.visible(bufnr) then
    local before_accept = line(bufnr)
    type_keys("<Tab>")
    wait_for(function()
      return line(bufnr) ~= before_accept
    end, STEP_TIMEOUT_MS, "<Tab> did not accept the suggestion")
    report.tab_accepted = true
  end
  report.accepted_line = line(bufnr)
  report.expected_line = expected
  report.accepted_cursor_col = vim.api.nvim_win_get_cursor(0)[2]
  wait_for(function()
    for _, record in ipairs(commands) do
      if record.command == "genls.acceptedCompletion" and record.answered then
        return true
      end
    end
    return false
  end, STEP_TIMEOUT_MS, "genls.acceptedCompletion was not run or not answered")
  report.commands = commands

  step("tab falls back")
  -- With nothing shown, <Tab> must do what it always does: insert a tab.
  ghost.dismiss()
  report.visible_after_dismiss = ghost.visible(bufnr)
  local before_tab = line(bufnr)
  type_keys("<Tab>")
  wait_for(function()
    return line(bufnr) ~= before_tab
  end, STEP_TIMEOUT_MS, "<Tab> without a suggestion did nothing")
  report.fallback_inserted = line(bufnr):sub(#before_tab + 1)

  step("insert leave")
  type_keys("<Esc>")
  wait_for(function()
    return vim.api.nvim_get_mode().mode == "n"
  end, STEP_TIMEOUT_MS, "<Esc> did not leave insert mode")
  sleep(200)
  report.extmarks_after_leave = #vim.api.nvim_buf_get_extmarks(bufnr, ghost.ns, 0, -1, {})

  step("statusline")
  wait_for(function()
    return genls.statusline():match("ms$") ~= nil
  end, STEP_TIMEOUT_MS, "the status line never showed a latency")
  report.statusline = genls.statusline()

  step("GenlsStatus")
  vim.cmd("GenlsStatus")
  local status_message
  wait_for(function()
    for _, n in ipairs(notifications) do
      if type(n.message) == "string" and n.message:match("model:") then
        status_message = n.message
        return true
      end
    end
    return false
  end, STEP_TIMEOUT_MS, ":GenlsStatus printed nothing")
  report.status_message = status_message

  step("checkhealth")
  vim.cmd("checkhealth genls")
  report.health_lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)

  finish(0)
end

t.start(run)
