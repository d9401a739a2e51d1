-- Drives the genls Neovim plugin's code actions and generating commands in a real headless
-- Neovim against the real server, on paths that need no model: "Extract into function"
-- applied through vim.lsp.buf.code_action, "Refactor with an instruction…" asking with
-- vim.ui.input, :GenlsDiagram classes writing and opening a Mermaid file (with its progress in
-- the status line), :GenlsChangelog! editing CHANGELOG.md, and a command the server lacks
-- (:GenlsImage on a server without genls.generateImage).
--
-- Usage (-S, not -l: the main loop must run for LSP answers):
--   GENLS_TEST_FILE=<workspace>/shop.py GENLS_TEST_PYTHON=<python> \
--   GENLS_TEST_REPORT=<out.json> GENLS_TEST_PLUGIN=<repo>/editors/nvim \
--   GENLS_TEST_EXTRACT_LINES=8,10 \
--     nvim --headless --clean -u NONE -S tests/nvim_plugin/actions.lua
--
-- Writes a JSON report; exits non-zero (reason in report.errors and on stderr) on any error.

local harness = dofile(vim.fs.joinpath(
  vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))

local ATTACH_TIMEOUT_MS = 30000
local STEP_TIMEOUT_MS = 20000

local t = harness.new({ name = "actions.lua", total_timeout_ms = 90000 })
local report, notifications = t.report, t.notifications
local finish, step, wait_for = t.finish, t.step, t.wait_for
local first_line, last_line = (vim.env.GENLS_TEST_EXTRACT_LINES or "8,10"):match("(%d+),(%d+)")
first_line, last_line = tonumber(first_line), tonumber(last_line)

local function notification(pattern, from)
  for i = (from or 0) + 1, #notifications do
    local n = notifications[i]
    if type(n.message) == "string" and n.message:find(pattern, 1, true) then
      return n
    end
  end
  return nil
end

--- Waits until the current buffer's name matches `pattern`; what it shows, and the message
--- starting with `message` notified after notification number `mark`.
local function opened_buffer(pattern, failure, message, mark)
  local path = wait_for(function()
    local name = vim.api.nvim_buf_get_name(0)
    return name:match(pattern) and name or nil
  end, STEP_TIMEOUT_MS, failure)
  return {
    path = path,
    lines = vim.api.nvim_buf_get_lines(0, 0, -1, false),
    modified = vim.bo.modified,
    message = (notification(message, mark) or {}).message,
  }
end

local function run()
  vim.opt.rtp:prepend(t.plugin_dir)
  local genls = require("genls")
  local lsp = require("genls.lsp")
  t.capture_notifications()

  genls.setup({
    cmd = { t.python, "-m", "genls", "serve" },
    settings = { model = t.model, index = false },
    ghost_text = "off",
  })
  report.progress = {}
  vim.api.nvim_create_autocmd("LspProgress", {
    callback = function(args)
      local value = args.data.params.value or {}
      table.insert(report.progress, {
        kind = value.kind,
        title = value.title,
        statusline = genls.statusline(),
      })
    end,
  })

  vim.cmd.edit(vim.fn.fnameescape(t.file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"
  step("attach")
  local client = wait_for(function()
    return lsp.client(bufnr)
  end, ATTACH_TIMEOUT_MS, "the genls client did not attach")
  wait_for(function()
    return client.initialized
  end, ATTACH_TIMEOUT_MS, "the server did not initialize")
  report.server_commands = client.server_capabilities.executeCommandProvider.commands

  step("Extract into function")
  local before = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local last = before[last_line]
  local offered = {}
  vim.lsp.buf.code_action({
    range = { start = { first_line, 0 }, ["end"] = { last_line, #last - 1 } },
    filter = function(action)
      table.insert(offered, action.title)
      return action.title == "Extract into function"
    end,
    apply = true,
  })
  local after = wait_for(function()
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    return not vim.deep_equal(lines, before) and lines or nil
  end, STEP_TIMEOUT_MS, "Extract into function changed nothing")
  report.extract = { offered = offered, lines = after, modified = vim.bo[bufnr].modified }
  vim.cmd("silent undo")

  step("Refactor with an instruction asks for it")
  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, opts.prompt)
    on_confirm(nil) -- the user presses Escape: nothing is sent
  end
  local sent = {}
  local exec_cmd = lsp.exec_cmd
  lsp.exec_cmd = function(c, command, b, handler)
    table.insert(sent, command.command)
    return exec_cmd(c, command, b, handler)
  end
  vim.api.nvim_win_set_cursor(0, { first_line, 4 })
  vim.lsp.buf.code_action({
    filter = function(action)
      return action.title == "Refactor with an instruction…"
    end,
    apply = true,
  })
  wait_for(function()
    return #prompts > 0
  end, STEP_TIMEOUT_MS, "the refactor action did not ask for an instruction")
  report.refactor = { prompts = prompts, sent = vim.deepcopy(sent) }

  step("GenlsDiagram classes")
  local mark = #notifications
  vim.cmd("GenlsDiagram classes")
  report.diagram = opened_buffer("%.mmd$", ":GenlsDiagram classes opened no .mmd file",
    "genls: diagram:", mark)
  report.diagram.on_disk = vim.fn.readfile(report.diagram.path)
  report.statusline_after = genls.statusline()

  step("GenlsChangelog!")
  vim.cmd.buffer(bufnr)
  mark = #notifications
  vim.cmd("GenlsChangelog!")
  report.changelog = opened_buffer("CHANGELOG%.md$", ":GenlsChangelog! opened no CHANGELOG.md",
    "genls: changelog:", mark)

  step("a refused command")
  vim.cmd.buffer(bufnr)
  mark = #notifications
  require("genls.run").job("genls.diagram", { { kind = "calls" } }, { bufnr = bufnr })
  wait_for(function()
    return vim.fn.execute("messages"):find("a call graph needs a function", 1, true) ~= nil
  end, STEP_TIMEOUT_MS, "the server's refusal was not shown")
  -- The server answers the refused command before it reads this request: once this is
  -- answered, the plugin has handled the refusal's answer too.
  client:request_sync("workspace/executeCommand", { command = "genls.status" }, STEP_TIMEOUT_MS,
    bufnr)
  report.refused = {
    notifications = vim.list_slice(notifications, mark + 1),
    messages = vim.tbl_filter(function(line)
      return line:find("needs a function", 1, true) ~= nil
    end, vim.split(vim.fn.execute("messages"), "\n")),
  }

  step("a command the server lacks")
  vim.cmd.buffer(bufnr)
  -- An older server: whatever this one offers, it must not offer genls.generateImage.
  local provider = client.server_capabilities.executeCommandProvider
  provider.commands = vim.tbl_filter(function(name)
    return name ~= "genls.generateImage"
  end, provider.commands)
  mark = #notifications
  sent = {}
  vim.cmd("GenlsImage a red fox")
  report.missing = vim.list_slice(notifications, mark + 1)
  report.missing_sent = #sent

  finish(0)
end

t.start(run)
